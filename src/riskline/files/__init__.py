"""The files an analyst writes, read below both `config` and `language`: YAML and seed documents.

`yamlfile` reads YAML keeping line numbers and validates it against `Strict` models, so that
every error names file:line; `seeds` reads the source documents quotes point into. Both
`riskline.config` (scenarios, priors) and `riskline.language` (lexicons, time conventions,
extraction) build on them, and neither imports the other's files.
"""
