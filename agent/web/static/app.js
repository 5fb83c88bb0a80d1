// newsagent's pages: job progress, the cited-sentence panel, uploads with progress, and chat over SSE.
// No inline script anywhere (the CSP forbids it); everything the page does is in this file.
"use strict";
(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const ACTIVE = ["queued", "running"];

  // --- background jobs: poll the job until it ends, then reload so the server shows its result ---------------
  function watchJob(box) {
    if (!ACTIVE.includes(box.dataset.state)) return;
    const bar = $(".job-bar", box);
    const show = (sel, text) => { const el = $(sel, box); if (el) el.textContent = text || ""; };
    const tick = async () => {
      let job;
      try {
        const r = await fetch("/jobs/" + encodeURIComponent(box.dataset.job), {cache: "no-store"});
        if (!r.ok) throw new Error("HTTP " + r.status);
        job = await r.json();
      } catch (e) {
        setTimeout(tick, 2000);
        return;
      }
      show(".job-state", job.state);
      show(".job-stage", job.progress.stage);
      show(".job-message", job.progress.message);
      if (bar) { bar.max = job.progress.total || 1; bar.value = job.progress.done; }
      if (ACTIVE.includes(job.state)) setTimeout(tick, 700);
      else location.reload();
    };
    setTimeout(tick, 400);
  }

  // --- citations: open the cited sentence, highlighted, in its article beside the text ----------------------
  async function openSource(link) {
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith("/articles/")) return false;
    url.searchParams.set("partial", "1");
    url.hash = "";
    const panel = $("#panel"), body = $("#panel-body");
    const r = await fetch(url, {cache: "no-store"});
    if (!r.ok) {
      body.textContent = "The source could not be loaded (HTTP " + r.status + ").";
    } else {
      body.innerHTML = await r.text();  // this app's own fragment: every article character is escaped server-side
    }
    const source = $("article.source", body);
    $("#panel-title").textContent = source ? "Source: " + source.dataset.outlet : "Source";
    document.querySelectorAll("a.cite.active").forEach((a) => a.classList.remove("active"));
    link.classList.add("active");
    panel.hidden = false;
    document.body.classList.add("with-panel");
    const hl = $(".hl", body);
    // Scroll the panel alone (scrollIntoView would move the whole page away from the citation too).
    if (hl) panel.scrollTo({top: Math.max(0, hl.offsetTop - panel.clientHeight / 3)});
    return true;
  }

  document.addEventListener("click", (ev) => {
    const link = ev.target.closest && ev.target.closest("a.cite");
    if (!link || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
    if (link.closest("#panel")) return;
    ev.preventDefault();
    openSource(link).then((ok) => { if (!ok) location.href = link.href; },
                          () => { location.href = link.href; });
  });

  function closePanel() {
    $("#panel").hidden = true;
    document.body.classList.remove("with-panel");
  }

  // --- uploads: show the bytes going up, then follow to the ingest job -----------------------------------------
  function upload(form) {
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const bar = $(".upload-bar", form), status = $(".upload-status", form);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) { bar.hidden = false; bar.max = e.total; bar.value = e.loaded; }
      };
      xhr.onload = () => {
        if (xhr.status < 400) { location.href = xhr.responseURL; return; }
        let message = xhr.responseText;
        try { message = JSON.parse(xhr.responseText).error; } catch (e) { /* plain text */ }
        status.textContent = "Upload refused: " + message;
        status.className = "upload-status error";
      };
      xhr.onerror = () => { status.textContent = "Upload failed: the server could not be reached."; };
      status.textContent = "uploading…";
      xhr.send(new FormData(form));
    });
  }

  // --- chat: stream the draft answer, then show the checked answer with its citations -------------------------
  function chat(form) {
    const button = $("button", form), input = $("#question");
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const q = input.value.trim();
      if (!q) return;
      const turn = document.createElement("div"), question = document.createElement("p");
      const draft = document.createElement("p");
      turn.className = "turn";
      question.className = "question";
      question.textContent = q;
      draft.className = "draft";
      turn.append(question, draft);
      $("#turns").append(turn);
      input.value = "";
      button.disabled = true;
      const es = new EventSource("/chat/stream?session=" + encodeURIComponent(form.dataset.session) +
                                 "&q=" + encodeURIComponent(q));
      const finish = () => { es.close(); button.disabled = false; input.focus(); };
      es.addEventListener("piece", (e) => { draft.textContent += e.data; });
      es.addEventListener("answer", (e) => {
        const box = document.createElement("div");
        box.innerHTML = e.data;  // rendered by the server's autoescaping template
        draft.replaceWith(...box.childNodes);
      });
      es.addEventListener("failed", (e) => { draft.className = "error"; draft.textContent = "Failed: " + e.data; });
      es.addEventListener("done", finish);
      es.onerror = () => {
        if (!turn.querySelector(".answer")) {
          draft.className = "error";
          draft.textContent = draft.textContent || "The question could not be answered (is the corpus empty?).";
        }
        finish();
      };
      turn.scrollIntoView({block: "end"});
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-job]").forEach(watchJob);
    const close = $("#panel-close");
    if (close) close.addEventListener("click", closePanel);
    document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") closePanel(); });
    const up = $("form[data-upload]");
    if (up) upload(up);
    const ask = $("#ask");
    if (ask) chat(ask);
  });
})();
