"""The pages, one module each: corpus, brief, comparison, chat, evals, and job status."""
