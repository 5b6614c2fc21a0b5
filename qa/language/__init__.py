"""What the rules know of English and of names: question analysis (`question`: its kind, key terms, predicate) and
names with their aliases and the corpus's spellings (`names`, `aliases.toml`)."""
