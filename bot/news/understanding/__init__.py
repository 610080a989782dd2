"""Understanding an article: fetch, extract, language, entities, summary; the pipeline and
its worker."""
