"""The small grammar of orders to a model: who is addressed, what the output is called, which verbs give orders.

Word classes, in English, French, German, Spanish, Russian and Chinese, that the structural signals in
`agent.text.safety` combine; and, separately, the known attack wordings (the one signal that is a list).
Everything here is matched against case-folded, NFKC-normalised text.
"""

from __future__ import annotations

import re


def _alt(words: str) -> str:
    """A regex alternation of whitespace-separated words ('_' stands for a space), longest first."""
    items = sorted({w.replace("_", r"\s+") for w in words.split()}, key=len, reverse=True)
    return "|".join(items)


# Who an order to a model is addressed to.
ADDRESSEE = _alt("""
ai a.i. ais assistant assistants chatbot chatbots bot bots llm llms language_model language_models large_language_model
gpt chatgpt claude gemini copilot qwen llama mistral summarizer summarizers summariser summarisers ai_system ai_systems
ai_model ai_models ai_tool ai_tools ai_agent ai_agents ai_reader machine_reader automated_reader crawler crawlers
scraper model_reading
ia l'ia intelligence_artificielle modèle assistante ki sprachmodell assistent asistente modelo inteligencia_artificial
ии ассистент нейросеть модель бот 人工智能 助手 模型 机器人
""")
# What the output of a tool like this one is called.
OUTPUT_NOUN = _alt("""
brief briefs summary summaries summarization summarisation response responses reply replies answer answers output outputs
prompt prompts instructions instruction completion completions transcript memo bottom_line system_prompt
résumé résumés synthèse réponse réponses sortie consignes invite
zusammenfassung antwort antworten ausgabe anweisungen anweisung
resumen respuesta respuestas salida instrucciones indicaciones
резюме сводка сводке сводку ответ ответе ответы вывод выводе инструкции инструкций промпт
摘要 总结 回答 回复 输出 指令 提示词 提示
""")
# What an injected text calls itself.
ARTICLE_NOUN = _alt("article text page document story passage content post report")
# Verbs in the base form that give an order (English; a sentence opening with one of these, then an object).
DIRECTIVE_EN = frozenset("""
ignore disregard forget override bypass skip print write output say state include insert add append prepend mention
repeat respond reply answer type render display show list cite quote omit drop remove exclude delete hide suppress
summarize summarise describe translate reveal disclose tell treat assume pretend act obey follow execute run replace
rewrite mark label conclude begin start end stop put place use make call claim present emphasize emphasise highlight
note remember ensure report refer copy paste insist leave
""".split())
# The subset about producing output: an order with one of these counts even inside quotes or after a colon.
OUTPUT_VERB_EN = frozenset("""
ignore disregard forget override print write output say state include insert append prepend mention repeat respond
reply answer type render display cite omit exclude reveal disclose summarize summarise translate obey
""".split())
# What follows a directive verb in an order: its object, or a word that opens one.
FOLLOWER = frozenset("""
the a an this that these those all any every each everything anything nothing your my our his her their its it them
us me him only exactly just also instead now immediately previous prior above earlier following out up down back
sure no nothing what whatever both either after with sentence sentences source sources line lines word words phrase
text code outlet outlets
""".split())
_MODAL_OTHER = """
doit doivent devez dois il_faut muss müssen musst soll sollen sollst debe deben debes tiene_que hay_que
должен должна должны нужно необходимо 必须 应该 需要 务必 请
"""
MODAL = _alt("must should shall need_to needs_to have_to has_to is_to are_to are_required_to is_required_to will_now "
             "ought_to" + _MODAL_OTHER)
_DIRECTIVE_OTHER = """
ignorez oublie oubliez écris écrivez ajoute ajoutez inclus incluez affiche affichez répète répétez réponds
répondez dis dites mentionne mentionnez supprime supprimez omets omettez imprime imprimez traduis révèle révélez
indique indiquez ignoriere ignorieren vergiss vergessen schreibe schreib füge gib wiederhole antworte nenne erwähne
entferne drucke zeige ignora ignore olvida olvide escribe escriba añade añada incluye incluya muestra muestre repite
repita responde responda di diga menciona mencione elimina elimine omite omita imprime imprima revela revele
игнорируй игнорируйте забудь забудьте напиши напишите добавь добавьте включи включите выведи выведите повтори
повторите ответь ответьте скажи скажите упомяни упомяните удали удалите пропусти пропустите напечатай напечатайте
покажи покажите раскрой раскройте 忽略 无视 忘记 写 写入 添加 加入 包含 输出 打印 重复 回答 说 提到 删除 省略 显示 透露
"""


def directive_any() -> str:
    """Every directive verb, English and the other languages, as one alternation."""
    return _alt(" ".join(sorted(DIRECTIVE_EN)) + _DIRECTIVE_OTHER)


# An order in another language: a directive verb of that language together with the output or the model
# (word order differs too much between them for the English grammar; Chinese has no spaces between words).
FOREIGN_ORDER = re.compile(r"(?:^|[\s,.;:!?¡¿«»\"'(]|(?<=[\u4e00-\u9fff]))(?:" + _alt(_DIRECTIVE_OTHER + _MODAL_OTHER)
                           + r")(?=$|[\s,.;:!?»\"')]|[\u4e00-\u9fff])", re.I)
FOREIGN_TARGET = re.compile(r"(?:^|\W|(?<=[\u4e00-\u9fff]))(?:" + OUTPUT_NOUN + r"|" + ADDRESSEE
                            + r")(?=$|\W|[\u4e00-\u9fff])", re.I)


# Names of chat roles, as a fake turn writes them at a line's start.
ROLE = _alt("""
system assistant user human ai bot model developer operator chatgpt gpt claude gemini qwen
système assistant utilisateur systemnachricht assistent benutzer sistema asistente usuario система ассистент
пользователь 系统 助手 用户
""")
# How a model's answer opens: an acknowledgement, or a first-person promise.
SELF_START = re.compile(r"^\W*(?:sure|understood|ok|okay|certainly|of\s+course|as\s+requested|as\s+instructed|noted|"
                        r"acknowledged|will\s+do|done|compris|verstanden|entendido|понял|поняла|好的|明白"
                        r"|i\s+(?:will|'ll|shall|am\s+going\s+to|have|'ve|must)|we\s+(?:will|'ll|shall))\b", re.I)

# Known attack wordings: one signal only (the eval can turn it off to measure the structural signals alone).
_PHRASES = r"""
\b(?:ignore|disregard|forget|override)\b[^.]{0,40}\b(?:instructions?|rules|prompts?|guidelines|directions|context|
constraints|the\s+rest|everything|all\s+(?:of\s+)?the\s+above)\b
|\bsystem\s+prompt\b|\bdeveloper\s+mode\b|\bmaintenance\s+mode\b|\bjailbreak|\bdo\s+anything\s+now\b|\bprompt\s+injection
|\bnew\s+instructions\b|\byou\s+are\s+now\b|\bpretend\s+(?:you\s+are|that\s+you)\b|\bas\s+an\s+ai\s+(?:language\s+)?model\b
|\binstead\s+(?:print|write|say|output|answer|respond)\b|\bhidden\s+(?:text|instructions?)\b
|\b(?:begin|start|end|finish|prefix)\s+(?:your|each|every)\s+\w*\s*(?:answer|response|reply|summary|brief|output)
|\bconfidential\s+instructions\b|\bthe\s+(?:real|true)\s+task\b
|ignor\w*\s+(?:toutes\s+)?(?:les\s+)?(?:instructions|consignes)|oubli\w*\s+(?:tout|toutes)|nouvelles\s+(?:instructions|consignes)
|ignorier\w*\s+(?:alle\s+)?(?:vorherigen\s+|bisherigen\s+|obigen\s+)?anweisungen|vergiss\w*\s+alles|neue\s+anweisungen
|ignor\w*\s+(?:todas\s+)?(?:las\s+)?instrucciones|olvid\w*\s+todo|nuevas\s+instrucciones|игнорир\w*|забуд\w*\s+(?:все|всё)
|нов\w+\s+инструкци|системн\w+\s+(?:промпт|подсказк)|忽略|无视|新的指令|系统提示|不要理会
"""
PHRASES = re.compile(re.sub(r"\s*\n\s*", "", _PHRASES), re.IGNORECASE)
