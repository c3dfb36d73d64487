"""Turn-taking: deciding from voice activity when the caller has started and finished speaking."""
