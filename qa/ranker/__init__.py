"""The fitted ranker: word features of each candidate sentence (`features`), the gradient-boosted trees that
score them and the calibrated support (`model`, `ranker.json`), the rerank stage that applies them (`rerank`), and
the short answer picked inside the best sentence (`shortanswer`). Fitted by `bench/fit_ranker.py`."""
