"""Near-duplicates across files and domains: the same question with the same answer in other words is
found; the same topic with a different question is not."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from bot.content import similar
from bot.content.check import main
from bot.content.formats import export_studybot
from bot.content.item import Item
from bot.content.loader import load_items, similar_problems
from bot.content.schema import validate_item


def mc(id_: str, domain: str, prompt: str, answer: str, wrong: list[str], explanation: str) -> Item:
    return validate_item({
        "id": id_, "domain": domain, "subtopic": "s", "kind": "multiple_choice", "difficulty": "medium",
        "prompt": prompt, "choices": [answer, *wrong], "answer": answer, "explanation": explanation,
    })


def open_item(id_: str, domain: str, prompt: str, key_points: list[str], model_answer: str) -> Item:
    return validate_item({
        "id": id_, "domain": domain, "subtopic": "s", "kind": "open", "difficulty": "medium",
        "seniority": "mid", "prompt": prompt, "key_points": key_points, "model_answer": model_answer,
        "follow_ups": ["What changes with much more data?"],
    })


FILLER = (" The rest of the answer walks through a worked example, names the assumption that most often "
          "fails in practice, says how you would notice it failing from the logs and dashboards, and closes "
          "with the one decision you would take first and why, so an interviewer can probe any step of it.")

LASSO_PRIOR = mc(
    "ms-lasso-prior", "math-stats",
    "Viewed as MAP estimation, L1-regularised linear regression (the lasso) corresponds to which prior on the "
    "weights?",
    "Independent zero-mean Laplace priors", ["Independent zero-mean Gaussian priors", "A flat improper prior",
                                             "A spike-and-slab prior"],
    "The negative log of a Laplace density is proportional to |w|, so maximising the posterior adds an L1 "
    "penalty; a Gaussian prior gives the squared L2 penalty of ridge instead.")
LASSO_PRIOR_REWORDED = mc(
    "ml-l1-bayes", "ml-algorithms",
    "From a Bayesian point of view, fitting a linear model with an L1 penalty on its weights amounts to which "
    "procedure?",
    "MAP estimation with a Laplace prior on the weights", ["Maximum likelihood with no prior at all",
                                                           "Posterior mean under a Gaussian prior",
                                                           "Full Bayesian model averaging"],
    "An L1 penalty is the negative log of a zero-mean Laplace prior, so the penalised fit is the posterior "
    "mode (MAP); a Gaussian prior would give ridge's squared penalty.")
LASSO_SPARSITY = mc(  # same topic (L1), a different question with a different answer
    "ml-l1-sparsity", "ml-algorithms",
    "You add an L1 penalty to a linear regression with many weakly useful features. What do you expect to see "
    "in the fitted weights as the penalty grows?",
    "More weights become exactly zero", ["All weights shrink by the same factor", "Weights grow to offset it",
                                         "Only the intercept changes"],
    "The L1 penalty has a corner at zero, so the optimum often sits exactly on it and features drop out; "
    "uniform shrinkage toward zero without zeroing describes ridge.")
SELECTION_BIAS = open_item(
    "ml-cv-best-of-many", "ml-algorithms",
    "A colleague tries 200 hyperparameter configurations with 5-fold cross-validation and reports the best "
    "configuration's CV accuracy as the accuracy to expect in production. What is wrong with that number, "
    "and how would you get an honest estimate?",
    ["The best of many noisy CV scores is optimistically biased (selection on noise)",
     "Nested cross-validation: tune in the inner loop, score in the outer loop",
     "Or keep an untouched test set scored once after tuning"],
    "Each CV score is a noisy estimate, and picking the maximum of 200 of them selects configurations whose "
    "noise happened to be favourable, so the winning score is optimistically biased. To estimate what the "
    "tuned model will do on new data, the tuning itself must be inside the evaluation: nested cross-validation "
    "tunes hyperparameters in an inner loop and scores the chosen configuration on outer folds it never saw, "
    "or you hold out a test set that is scored once, after tuning is finished." + FILLER)
SELECTION_BIAS_REWORDED = open_item(
    "pg-gridsearch-best-score", "programming",
    "You ran scikit-learn's GridSearchCV over 300 hyperparameter combinations with 5-fold CV and quoted "
    "best_score_ as the production AUC. Why is that estimate too optimistic, and what would you do instead?",
    ["best_score_ is the maximum over many noisy estimates, so it is biased upward",
     "Wrap the search in an outer cross-validation loop (nested CV)",
     "Or score the refit best model once on a held-out test set"],
    "best_score_ is the highest of 300 cross-validated scores, and every one of them carries noise from the "
    "particular folds; taking the maximum favours combinations that were lucky on those folds, so the number "
    "is biased upward. An honest estimate treats the whole search as part of the model: put GridSearchCV "
    "inside an outer cross-validation loop (nested CV) so each outer fold scores a search that never saw it, "
    "or keep a held-out test set and score the refit best estimator on it exactly once." + FILLER)
CHOOSING_K = open_item(  # same topic (cross-validation), a different question
    "ml-cv-choose-k", "ml-algorithms",
    "Explain how k-fold cross-validation works and how you would choose k for a dataset of 500 rows. What "
    "do you trade off as k grows?",
    ["Split into k folds, train on k-1 and validate on the held-out fold, average the k scores",
     "Larger k: less pessimistic bias, more compute and more correlated training sets",
     "Small data: 5 or 10 folds, repeated with different shuffles to reduce variance"],
    "k-fold cross-validation splits the rows into k folds, trains on k-1 of them and validates on the one left "
    "out, rotating until every fold has served once, then averages the k scores. As k grows each model trains "
    "on more of the data, so the estimate is less pessimistic, but training costs k fits and the training sets "
    "overlap more. For 500 rows I would use 5 or 10 folds, repeated with different shuffles, and stratify by "
    "the label." + FILLER)
FILLERS = [
    mc("dl-dropout", "deep-learning", "What does dropout do at inference time in a standard implementation?",
       "Nothing: it is switched off", ["It drops half the units", "It doubles the weights", "It adds noise"],
       "Inverted dropout scales activations during training, so at inference the layer is an identity map."),
    mc("ms-power", "math-stats", "You halve the minimum detectable effect of an A/B test. Roughly how does the "
       "required sample size change?", "It grows about four times", ["It doubles", "It halves",
                                                                    "It stays the same"],
       "Sample size scales with the inverse square of the effect size, so half the effect needs four times."),
    mc("ops-canary", "mlops", "Why do teams roll a new model out to a small canary slice of traffic first?",
       "To catch regressions while few users are exposed", ["To train it online", "To save GPU memory",
                                                             "To warm the feature cache"],
       "A canary limits the blast radius: live metrics on a few percent of traffic reveal problems early."),
    mc("pg-gil", "programming", "Why do CPU-bound Python threads rarely speed up a numeric loop?",
       "The GIL lets one thread run Python bytecode at a time", ["Threads share no memory",
                                                                  "Python has no threads", "Loops are lazy"],
       "CPython's global interpreter lock serialises bytecode, so use processes or vectorised numpy."),
    open_item("dl-batchnorm", "deep-learning", "Explain what batch normalisation computes during training and "
              "at inference, and why small batches hurt it.",
              ["Normalises with batch mean and variance during training",
               "Uses running averages at inference", "Small batches give noisy statistics"],
              "During training batch normalisation standardises each channel with the mean and variance of the "
              "current mini-batch and then applies a learned scale and shift. At inference it uses running "
              "averages collected during training instead. With small batches the batch statistics are noisy "
              "and differ from the running ones, so layer or group normalisation is often the better choice."
              + FILLER),
    open_item("sd-feature-store", "ml-system-design", "Why would a team introduce a feature store, and what "
              "does it need to guarantee between training and serving?",
              ["One definition of each feature for training and serving", "Point-in-time correct training data",
               "Low-latency online reads"],
              "A feature store gives each feature one definition that feeds both the offline training tables "
              "and the online serving path, which removes a common source of training-serving skew. It must "
              "produce point-in-time correct training rows so no feature leaks information from after the "
              "label, and it must serve the latest values with low latency at prediction time." + FILLER),
]


def background(n: int = 300) -> list[Item]:
    """Unrelated questions, so word weights are those of a bank-sized corpus (in a dozen items every word
    is rare and every shared word is common); their words are made up, so they match nothing here."""
    rng = random.Random(1)
    vocab = [f"zq{i:04d}" for i in range(3000)]  # one length, so no choice is strictly the longest

    def words(k: int) -> str:
        return " ".join(rng.choices(vocab, k=k))

    return [mc(f"ml-bg-{n}", "ml-algorithms", words(20) + "?", words(5), [words(5) for _ in range(3)], words(25))
            for n in range(n)]


BACKGROUND = background()
CORPUS = [LASSO_PRIOR, LASSO_SPARSITY, SELECTION_BIAS, CHOOSING_K, *FILLERS, LASSO_PRIOR_REWORDED,
          SELECTION_BIAS_REWORDED]


def _flagged(items: list[Item]) -> set[frozenset[str]]:
    items = [*BACKGROUND, *items]
    return {frozenset((items[p.first].id, items[p.second].id)) for p in similar.near_duplicates(items)}


def test_the_same_question_reworded_is_flagged_across_domains() -> None:
    flagged = _flagged(CORPUS)
    assert frozenset({"ms-lasso-prior", "ml-l1-bayes"}) in flagged  # math-stats vs ml-algorithms
    assert frozenset({"ml-cv-best-of-many", "pg-gridsearch-best-score"}) in flagged  # vs programming
    from bot.content.loader import duplicate_problems

    assert duplicate_problems([("a.yaml", it) for it in CORPUS]) == []  # the prompt-shingle check misses both


def test_the_same_topic_with_a_different_question_is_not_flagged() -> None:
    flagged = _flagged(CORPUS)
    assert flagged == {frozenset({"ms-lasso-prior", "ml-l1-bayes"}),
                       frozenset({"ml-cv-best-of-many", "pg-gridsearch-best-score"})}
    items = [*BACKGROUND, *CORPUS]
    pairs = {frozenset((items[p.first].id, items[p.second].id)): p for p in similar.similar_pairs(items, 0.0)}
    same_topic = pairs.get(frozenset({"ml-cv-best-of-many", "ml-cv-choose-k"}))
    assert same_topic is not None and not same_topic.flagged  # they do share words, just not enough
    assert frozenset({"ms-lasso-prior", "ml-l1-sparsity"}) not in flagged


def test_a_quiz_item_is_not_the_duplicate_of_an_interview_question_on_its_topic() -> None:
    quiz = mc("ml-cv-best-quiz", "ml-algorithms", "A colleague reports the best of 200 hyperparameter "
              "configurations' 5-fold CV accuracy as the production accuracy. What is wrong with that number?",
              "It is optimistically biased by selecting the best of many noisy scores",
              ["Nothing, CV is unbiased", "It is pessimistic", "5 folds are too few"],
              "Selecting the maximum of many noisy CV estimates picks lucky noise; use nested cross-validation.")
    items = [*CORPUS, quiz]
    assert not any(quiz.id in pair for pair in _flagged(items))


def test_stemming_and_stopwords() -> None:
    assert similar.stem("regularised") == similar.stem("regularizes") == similar.stem("regularisation")
    assert similar.stem("estimates") == similar.stem("estimated") == similar.stem("estimation")
    assert similar.stem("weights") == similar.stem("weight") and similar.stem("bias") == "bias"
    assert similar.stem("layers") == similar.stem("layer") and similar.stem("fp16") == "fp16"
    assert similar.content_words("What is the 95% interval of the L1 estimates?") == ["interval", "l1", "estimat"]


def test_content_check_reports_near_duplicates_as_warnings(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "math-stats").mkdir()
    (tmp_path / "ml").mkdir()
    (tmp_path / "math-stats" / "a.yaml").write_text(export_studybot([LASSO_PRIOR, *FILLERS[:2]]))
    (tmp_path / "ml" / "b.yaml").write_text(export_studybot([LASSO_SPARSITY, LASSO_PRIOR_REWORDED, *FILLERS[2:]]))
    (tmp_path / "ml" / "background.yaml").write_text(export_studybot(BACKGROUND))
    found, problems = load_items([tmp_path], root=tmp_path)
    assert problems == []  # not an error: the bank still loads
    warnings = similar_problems(found)
    assert [(w.path, w.item_id) for w in warnings] == [("ml/b.yaml", "ml-l1-bayes")]
    assert "ms-lasso-prior (math-stats/a.yaml)" in warnings[0].message
    assert main([str(tmp_path), "--no-code"]) == 0
    out = capsys.readouterr().out
    assert "1 warning(s)" in out and "[ml-l1-bayes]: asks what ms-lasso-prior" in out
    assert out.rstrip().endswith("no problems, 1 warning(s)")


def test_fast_enough_for_the_bank() -> None:
    rng = random.Random(7)
    vocab = [f"w{i}x" for i in range(4000)]
    items = [
        open_item(f"ml-perf-{n}", "ml-algorithms", " ".join(rng.choices(vocab, k=30)) + "?",
                  [" ".join(rng.choices(vocab, k=8)) for _ in range(4)], " ".join(rng.choices(vocab, k=150)))
        if n % 2 else
        mc(f"ml-perf-{n}", "ml-algorithms", " ".join(rng.choices(vocab, k=30)) + "?",
           " ".join(rng.choices(vocab, k=6)), [f"wrong {n} {k}" for k in range(3)], " ".join(rng.choices(vocab, k=40)))
        for n in range(1300)
    ]
    start = time.perf_counter()
    similar.near_duplicates(items)
    assert time.perf_counter() - start < 3.0
