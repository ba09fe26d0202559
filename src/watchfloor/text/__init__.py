"""Text analysis: folding (Arabic too), language, lexicon, exemplars and threat scoring.

Importing this package is cheap: the language model and the embedder load on first use."""
