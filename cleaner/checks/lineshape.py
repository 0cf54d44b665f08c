"""Boilerplate lines told apart from article lines by their shape and their neighbours, without HTML.

Article text comes in runs of long, punctuated prose lines; site chrome comes as
short, title-cased, unpunctuated lines, lists of links, dates, bylines, captions,
counts, legal lines and lines the page repeats. Each non-blank line gets a vector
of shape features (``line_features``: length, closing punctuation, letter case,
digits, stop words of eight languages, chrome words, dates, bylines, captions,
links, repeats, ...). A logistic model scores each line alone (stage 1); a second
logistic model scores it again with its context (stage 2, ``context_features``):
the stage-1 scores of its neighbours and of windows around it, the run of prose
or of unpunctuated lines it belongs to, and where it stands against the page's
main cluster of prose lines. That is the idea of boilerpipe's shallow-text-feature
classifier and of jusText's context-sensitive pass, on plain text.

Two kinds of input need different models (``regime``): the full visible text of a
page ("page": many short lines of navigation around the article) and an
extractor's output ("extract": mostly the article already). Each has its own
weights and threshold. On extracts, where removing a real line costs more than
keeping a stray one, three structural kinds work without the model as well: a
headline block above the first paragraph (``leading_headline``), a "Tags" header
with its keyword list (``tag_lists``) and reader comments between "<name> says:"
headers (``comment_blocks``).

Everything tunable is data: the model weights, the context windows, the kinds'
settings and the thresholds are ``params`` of the rule (``rules/shape.yml``);
``bench/train_lineshape.py`` refits the weights from a labelled corpus. Feature
extraction is pure Python and linear in the number of lines.

Scripts without spaces between words (Chinese, Japanese) would look like one long
word per line; CJK characters count as half a word each, so a Japanese paragraph
still reads as a long prose line. Letter case only counts in cased scripts.
"""

from __future__ import annotations

import bisect
import math
import operator
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

from cleaner import patterns
from cleaner.checks.registry import check
from cleaner.model import Hit, Segment
from cleaner.segment import Document

# --- per-line features ---------------------------------------------------------------------------

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_CLOSERS = "\"'”’»)]）」』】>*"
_STOPS = ".!?。！？…"
_SENT_END = re.compile(r"[.!?。！？](?:[\"'”’»)\]]*)(?:\s|$)")
_COMMA = re.compile(r"[,;，、；]")
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[^\W\d_]")
_NOT_ALPHA = bytes(b for b in range(256) if not chr(b).isalpha() or b > 127)
_NOT_UPPER = bytes(b for b in range(256) if not chr(b).isupper() or b > 127)
_TOKEN = re.compile(r"\w+")
_BULLET = re.compile(r"^[-–—•·*►▶▸>»›+✓✔]\s")
_NUMERIC_DATE = re.compile(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}:\d{2}|\d{4}年\d{1,2}月")
_BYLINE = re.compile(r"^(?:by|por|oleh|von|par|di|door|av|автор|от)[:\s]+\S", re.IGNORECASE)
_BRACKET_TAG = re.compile(r"\[\s*[A-Z][A-Z ]+\s*\]")
_COUNT = re.compile(r"^\(?\d[\d,.]*[kKmM]?\)?(?:\s+\w+){0,2}$")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Word lists are matched against the case-folded \w+ tokens of a line (a set lookup per token).
_DATE_WORDS = _words("updated published posted ago")
_MONTH_WORDS = _words("jan january feb february mar march apr april may jun june jul july aug august sep sept september "
                      "oct october nov november dec december")
_CAPTION_WORDS = _words("getty shutterstock istock afp reuters epa photo photos image images picture pictured credit "
                        "credits foto photograph")
_LEGAL_WORDS = _words("copyright privacy cookie cookies disclaimer trademark trademarks issn reserved terms")
_ACTION_WORDS = _words("subscribe subscription sign login register follow share click read more newsletter download "
                       "comments comment advertisement advertising sponsored related popular trending recommended "
                       "watch listen tags tag filed previous next menu search top")
_CHROME_WORDS = _ACTION_WORDS | _LEGAL_WORDS | _CAPTION_WORDS | _words(
    "subscribers reply replies shares shared sharing tap signup app consent policy reprints reprint print email e "
    "advert adverts ads newsletter enabled miss insight reaction updates "
    "mail podcast podcasts video videos gallery loading home contact account password membership members offer deal "
    "deals discount shop buy price website site page posted updated published edition facebook twitter instagram "
    "youtube linkedin whatsapp pinterest rss window")
_STOPWORDS = _words("""
the of and to in a is that for on with as was it at by from be this are have has had not but or an were
which their they he she his her its been will would said who after more about than when there also into
de que e o a do da em para com não um uma os no se na por mais as dos como mas ao ele das à seu sua ou
и в не на что с по как это к но из у за о от то же для все его она так был
yang dan di itu dengan untuk dari ini dalam tidak akan pada juga ke karena ada oleh
la el en y los las del un una por con para es al lo se
der die und den das ist von zu mit sich des auf für im dem nicht ein eine
le les et des du un une est pour qui dans pas sur au par
""")

LOCAL_FEATURES = (
    "words", "chars", "terminal", "colon_end", "no_letters", "title_ratio", "lower_ratio", "commas",
    "sentences", "digit_ratio", "upper_ratio", "separator", "bullet", "date", "byline", "caption", "legal",
    "action", "count", "url", "repeat", "cjk", "question", "quote_start", "long_word", "avg_word",
    "stopwords", "chrome_words", "page_title", "bracket_tag",
)


def _effective_words(text: str, words: list[str]) -> tuple[float, int]:
    cjk = len(_CJK.findall(text)) if not text.isascii() else 0
    if not cjk:
        return float(len(words)), 0
    return len(words) + cjk / 2.0, cjk


def line_features(text: str, repeats: int = 1, in_title: bool = False) -> list[float]:
    """The local feature vector of one line, in the order of ``LOCAL_FEATURES``.

    >>> f = dict(zip(LOCAL_FEATURES, line_features("Putin reacted strongly.")))
    >>> f["terminal"], f["title_ratio"] > 0.3
    (1.0, True)
    """
    t = text.strip()
    words = t.split()
    n_words, cjk = _effective_words(t, words)
    n = len(t) or 1
    low = t.casefold()
    tokens = _TOKEN.findall(low)
    tokset = set(tokens)
    tail = t.rstrip(_CLOSERS)
    terminal = 1.0 if tail[-1:] in _STOPS and not tail.endswith("...") or t.endswith("...\"") else 0.0
    firsts = "".join(w[0] for w in words)
    title = sum(map(str.isupper, firsts))
    lower = sum(map(str.islower, firsts))
    cased = title + lower
    if t.isascii():
        raw = t.encode("ascii")
        letters = len(raw.translate(None, _NOT_ALPHA))
        uppers = len(raw.translate(None, _NOT_UPPER))
    else:
        letters = len(_LETTER.findall(t))
        uppers = sum(map(str.isupper, t))
    digits = len(_DIGIT.findall(t))
    lw = max(map(len, words), default=0)
    date = bool(tokset & _DATE_WORDS) or bool(digits) and (
        bool(tokset & _MONTH_WORDS) or bool(_NUMERIC_DATE.search(t)))
    return [
        math.log1p(n_words),
        math.log1p(len(t)),
        terminal,
        1.0 if t.endswith(":") else 0.0,
        0.0 if letters else 1.0,
        title / cased if cased else 0.0,
        lower / cased if cased else 0.0,
        math.log1p(len(_COMMA.findall(t))),
        math.log1p(len(_SENT_END.findall(t))),
        digits / n,
        uppers / letters if letters else 0.0,
        1.0 if "|" in t or " » " in t or " › " in t or " · " in t or " • " in t else 0.0,
        1.0 if _BULLET.match(t) else 0.0,
        1.0 if date else 0.0,
        1.0 if n_words <= 12 and _BYLINE.match(t) else 0.0,
        1.0 if tokset & _CAPTION_WORDS else 0.0,
        1.0 if "©" in t or tokset & _LEGAL_WORDS else 0.0,
        1.0 if n_words <= 12 and tokset & _ACTION_WORDS else 0.0,
        1.0 if digits and _COUNT.match(t) else 0.0,
        1.0 if "http" in low or "www." in low or "@" in t or ".com" in low else 0.0,
        math.log(repeats) if repeats > 1 else 0.0,
        cjk / n,
        1.0 if tail.endswith(("?", "？")) else 0.0,
        1.0 if t[:1] in "\"“‘«„「" else 0.0,
        1.0 if lw > 25 and not cjk else 0.0,
        (sum(map(len, words)) / len(words)) / 10.0 if words and not cjk else 0.0,
        sum(map(_STOPWORDS.__contains__, tokens)) / len(tokens) if tokens and not cjk else 0.0,
        math.log1p(sum(map(_CHROME_WORDS.__contains__, tokens))),
        1.0 if in_title else 0.0,
        1.0 if "[" in t and _BRACKET_TAG.search(t) else 0.0,
    ]


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def document_features(lines: Sequence[str]) -> list[list[float]]:
    """Local features of every line of one document.

    A line's repeats are counted in the document, and a line found inside the
    first line is marked: pages often start with their ``<title>`` ("Headline |
    Section | Site"), which repeats the headline printed above the article.
    """
    folded = [_fold(t) for t in lines]
    counts = Counter(folded)
    head = folded[0] if folded else ""
    return [line_features(t, counts[f], i > 0 and len(f) >= 12 and f in head)
            for i, (t, f) in enumerate(zip(lines, folded, strict=True))]


# --- context --------------------------------------------------------------------------------------

CONTEXT_FEATURES = (
    "self", "prev", "next", "prev2", "next2", "win1", "win3", "win10", "mass_above", "mass_below",
    "in_main", "before_main", "after_main", "main_share", "doc_share", "first", "last", "rel_pos",
    "prev_date", "prev_terminal", "prev_words", "next_terminal", "next_words",
    "open_in_main", "chrome_in_main", "self_in_main", "sandwich",
    "open_run", "prose_run", "prose_run_words", "prose_above", "prose_below",
    *(f"self_{k}" for k in range(5)), *(f"near_{k}" for k in range(5)), *(f"words_{k}" for k in range(6)),
)
_P_BINS = (0.1, 0.3, 0.5, 0.7)  # stage-1 probability bins: self_0 is p < 0.1, ..., self_4 is p >= 0.7
_W_BINS = (1, 3, 6, 12, 25)  # word-count bins: words_0 is 1 word or fewer, ..., words_5 more than 25
_F = {name: i for i, name in enumerate(LOCAL_FEATURES)}


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


_VECTORS: dict[int, tuple[Mapping[str, Any], list[float], float]] = {}


def _vector(stage: Mapping[str, Any], names: Sequence[str]) -> tuple[list[float], float]:
    """A stage's weights as a list in feature order, and its bias (cached per weights mapping)."""
    hit = _VECTORS.get(id(stage))
    if hit is None or hit[0] is not stage:
        weights = stage["weights"]
        hit = (stage, [float(weights.get(name, 0.0)) for name in names], float(stage["bias"]))
        _VECTORS[id(stage)] = hit
    return hit[1], hit[2]


def _linear(weights: Sequence[float], bias: float, vector: Sequence[float]) -> float:
    return bias + sum(map(operator.mul, weights, vector))


def _prefix(values: Sequence[float]) -> list[float]:
    out = [0.0]
    for v in values:
        out.append(out[-1] + v)
    return out


def _window_means(values: Sequence[float], weights: Sequence[float], radius: int) -> list[float]:
    """Weighted mean of ``values`` over i-radius..i+radius excluding i itself (prefix sums)."""
    n = len(values)
    pv = _prefix([v * w for v, w in zip(values, weights, strict=True)])
    pw = _prefix(weights)
    out = []
    for i in range(n):
        a, b = max(0, i - radius), min(n, i + radius + 1)
        sw = pw[b] - pw[a] - weights[i]
        out.append((pv[b] - pv[a] - values[i] * weights[i]) / sw if sw > 0 else 0.5)
    return out


def main_block(anchors: Sequence[float], gap: int, lead_share: float = 0.0) -> tuple[int, int, float]:
    """The cluster of anchor lines (weight > 0) with the largest total weight, and its lead.

    Anchors closer than ``gap`` lines belong to one cluster. A cluster before the
    heaviest one that weighs at least ``lead_share`` of it is the article's opening,
    cut off by a list or a table ("Allowed foods:" and thirty items), so the block
    starts there. Returns the block's first line, the line after its last, and its
    share of all anchor weight.
    """
    clusters: list[tuple[int, int, float]] = []  # first line, line after the last, weight
    last = -1
    for i, w in enumerate(anchors):
        if w <= 0:
            continue
        if last < 0 or i - last > gap:
            clusters.append((i, i + 1, w))
        else:
            first, _, weight = clusters[-1]
            clusters[-1] = (first, i + 1, weight + w)
        last = i
    if not clusters:
        return 0, 0, 0.0
    heaviest = max(range(len(clusters)), key=lambda k: clusters[k][2])
    weight = clusters[heaviest][2]
    first = heaviest
    if lead_share > 0:
        first = next(k for k in range(heaviest + 1) if clusters[k][2] >= lead_share * weight)
    block = clusters[first:heaviest + 1]
    return block[0][0], block[-1][1], sum(c[2] for c in block) / sum(c[2] for c in clusters)


def _runs(flags: Sequence[bool]) -> list[tuple[int, int]]:
    """For each line, the [start, end) of the maximal run of equal flags it belongs to."""
    out: list[tuple[int, int]] = []
    i, n = 0, len(flags)
    while i < n:
        j = i
        while j < n and flags[j] == flags[i]:
            j += 1
        out.extend([(i, j)] * (j - i))
        i = j
    return out


def context_features(local: Sequence[Sequence[float]], scores: Sequence[float],
                     params: Mapping[str, Any]) -> list[list[float]]:
    """Stage-2 context of every line from the stage-1 content probabilities ``scores``."""
    n = len(scores)
    windows = params["windows"]
    iw, it, idt, ic = _F["words"], _F["terminal"], _F["date"], _F["chrome_words"]
    size = [math.exp(f[iw]) for f in local]  # 1 + words: longer lines count for more
    w1, w3, w10 = (_window_means(scores, size, r) for r in windows)
    anchor_min = math.log1p(params["anchor_words"])
    anchors = [f[iw] if s >= params["anchor_probability"] and f[it] and f[iw] >= anchor_min else 0.0
               for s, f in zip(scores, local, strict=True)]
    mass = _prefix([s * f[iw] if f[it] else 0.0 for s, f in zip(scores, local, strict=True)])
    reach = windows[-1]
    a, b, main_share = main_block(anchors, params["anchor_gap"], params["lead_share"])
    share = sum(1 for s in scores if s > 0.5) / n if n else 0.0
    prose_min = math.log1p(params["anchor_words"])
    is_prose = [bool(f[it]) and f[iw] >= prose_min for f in local]
    open_runs = _runs([not f[it] for f in local])
    prose_runs = _runs(is_prose)
    words = _prefix([math.exp(f[iw]) - 1.0 for f in local])
    out = []
    for i in range(n):
        prev = local[i - 1] if i > 0 else None
        nxt = local[i + 1] if i + 1 < n else None
        inside = 1.0 if a <= i < b else 0.0
        out.append([
            scores[i],
            scores[i - 1] if i > 0 else 0.0,
            scores[i + 1] if i + 1 < n else 0.0,
            scores[i - 2] if i > 1 else 0.0,
            scores[i + 2] if i + 2 < n else 0.0,
            w1[i], w3[i], w10[i],
            math.log1p(mass[i] - mass[max(0, i - reach)]),
            math.log1p(mass[min(n, i + 1 + reach)] - mass[i + 1]),
            1.0 if a <= i < b else 0.0,
            math.log1p(a - i) if i < a else 0.0,
            math.log1p(i - b + 1) if i >= b else 0.0,
            main_share,
            share,
            1.0 if i == 0 else 0.0,
            1.0 if i == n - 1 else 0.0,
            i / (n - 1) if n > 1 else 0.0,
            prev[idt] if prev else 0.0,
            prev[it] if prev else 0.0,
            prev[iw] if prev else 0.0,
            nxt[it] if nxt else 0.0,
            nxt[iw] if nxt else 0.0,
            (1.0 - local[i][it]) * inside,
            local[i][ic] * inside,
            scores[i] * inside,
            min(scores[i - 1] if i > 0 else 0.0, scores[i + 1] if i + 1 < n else 0.0),
            math.log1p(open_runs[i][1] - open_runs[i][0]) if not local[i][it] else 0.0,
            math.log1p(prose_runs[i][1] - prose_runs[i][0]) if is_prose[i] else 0.0,
            math.log1p(words[prose_runs[i][1]] - words[prose_runs[i][0]]) if is_prose[i] else 0.0,
            _run_words(prose_runs, is_prose, words, i, -1),
            _run_words(prose_runs, is_prose, words, i, 1),
            *_one_hot(scores[i], _P_BINS),
            *_one_hot((w1[i] + w3[i]) / 2.0, _P_BINS),
            *_one_hot(math.exp(local[i][iw]) - 1.0, _W_BINS),
        ])
    return out


@lru_cache(maxsize=32)
def _hot_rows(size: int) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(1.0 if j == k else 0.0 for j in range(size)) for k in range(size))


def _one_hot(value: float, edges: Sequence[float]) -> tuple[float, ...]:
    """Piecewise indicators, so the linear stage-2 model can bend where a feature matters."""
    return _hot_rows(len(edges) + 1)[bisect.bisect_right(edges, value)]


def _run_words(runs: Sequence[tuple[int, int]], is_prose: Sequence[bool], words: Sequence[float], i: int,
               step: int) -> float:
    """log(1 + words) of the nearest prose run above (step -1) or below (step 1) line i, within 2 lines."""
    j = i + step
    for _ in range(2):
        if not 0 <= j < len(is_prose):
            return 0.0
        if is_prose[j]:
            a, b = runs[j]
            return math.log1p(words[b] - words[a])
        j += step
    return 0.0


STAGE2_FEATURES = LOCAL_FEATURES + CONTEXT_FEATURES


def short_share(local: Sequence[Sequence[float]], short_words: int) -> float:
    """The share of lines with at most ``short_words`` words: high for a whole page, low for an extract."""
    if not local:
        return 0.0
    limit = math.log1p(short_words) + 1e-9
    return sum(1 for f in local if f[0] <= limit) / len(local)


def regime(local: Sequence[Sequence[float]], params: Mapping[str, Any]) -> str:
    """``page`` for all the visible text of a page (many short lines), ``extract`` for mostly prose.

    A document of ``page_lines[1]`` lines or more is a page when ``page_short_share[1]``
    of its lines are short; from ``page_lines[0]`` lines on it needs ``page_short_share[0]``.
    """
    n = len(local)
    (few, many), (share_few, share_many) = params["page_lines"], params["page_short_share"]
    if n < few:
        return "extract"
    need = share_many if n >= many else share_few
    return "page" if short_share(local, params["short_words"]) >= need else "extract"


def score_local(local: Sequence[Sequence[float]], params: Mapping[str, Any]) -> list[float]:
    """The probability that each line is article content, from the model of the document's regime."""
    if not local:
        return []
    model = params["model"][regime(local, params)]
    w1, b1 = _vector(model["stage1"], LOCAL_FEATURES)
    p1 = [_sigmoid(_linear(w1, b1, f)) for f in local]
    ctx = context_features(local, p1, params)
    w2, b2 = _vector(model["stage2"], STAGE2_FEATURES)
    return [_sigmoid(_linear(w2, b2, f + c)) for f, c in zip(local, ctx, strict=True)]


def score_lines(lines: Sequence[str], params: Mapping[str, Any]) -> list[float]:
    """The probability that each line (non-blank lines of one document, in order) is article content."""
    return score_local(document_features(lines), params)


_REASON_INDEX = tuple((name, _F[name]) for name in
                      ("date", "byline", "caption", "legal", "action", "count", "url", "repeat", "separator"))
_SHORT = math.log1p(6)


def _reasons(f: Sequence[float]) -> tuple[str, ...]:
    """The shape signals that fired in a line, for the finding (the model decides, these explain)."""
    out = [name for name, i in _REASON_INDEX if f[i] > 0]
    if not f[_F["terminal"]]:
        out.append("no-terminal-punct")
        if f[_F["title_ratio"]] > 0.6:
            out.append("title-case")
    if f[_F["words"]] < _SHORT:
        out.append("short")
    return tuple(out) or ("context",)


def leading_headline(local: Sequence[Sequence[float]], params: Mapping[str, Any],
                     leads: Collection[int] = ()) -> list[int]:
    """The lines of the headline block at the top of a document (none if there is no such block).

    A headline block is up to ``max_lines`` lines (headline, kicker, date) of
    ``min_words``..``max_words`` words each, none with closing punctuation (but a
    title-cased question), a colon at the end, a link or only capitals (a
    dateline), right above the first full line of prose (``next_min_words`` words
    or more, closing punctuation). Lines with fewer words or no letters in between
    ("Photos", "0 0 0"), and chrome that other rules remove (share buttons,
    captions, bylines, legal lines), are neither part of the block nor the end of
    it: whether another rule removed them first must not change the verdict. A wire
    story's dateline lead (a line in ``leads``) is its first paragraph even when it ends
    in a colon ("HAYWARD, Calif. (AP) — The Latest on … (all times local):").
    """
    block: list[int] = []
    for k in range(len(local) - 1):
        f = dict(zip(LOCAL_FEATURES, local[k], strict=True))
        words = math.exp(f["words"]) - 1.0
        chrome = f["action"] or f["caption"] or f["legal"] or f["byline"]
        if words >= params["min_words"] and not f["no_letters"] and not chrome:
            question_title = f["question"] and f["title_ratio"] >= 0.6  # "Is Football Violence a Crime?"
            if words > params["max_words"] or f["terminal"] and not question_title \
                    or f["colon_end"] or f["upper_ratio"] >= 0.6 or f["url"]:
                return []
            block.append(k)
            if len(block) > params["max_lines"]:
                return []
        nxt = dict(zip(LOCAL_FEATURES, local[k + 1], strict=True))
        if k + 1 in leads or nxt["terminal"] and math.exp(nxt["words"]) - 1.0 >= params["next_min_words"]:
            return block
    return []


def comment_blocks(texts: Sequence[str], local: Sequence[Sequence[float]], params: Mapping[str, Any]) -> list[int]:
    """Lines of a reader-comment section: from each "<name> says:" header to the next one.

    Needs ``min_heads`` headers no more than ``max_gap`` lines apart; the last
    comment runs on while its lines are dates or end a sentence (``max_gap`` lines at most).
    """
    is_head = patterns.search_any(params["head_patterns"], patterns.IGNORECASE)
    heads = [i for i, t in enumerate(texts) if is_head(t.strip())]
    if len(heads) < params["min_heads"]:
        return []
    out: list[int] = []
    gap = params["max_gap"]
    it, idt = _F["terminal"], _F["date"]
    for k, h in enumerate(heads):
        nxt = heads[k + 1] if k + 1 < len(heads) else None
        near = [j for j in (heads[k - 1] if k else None, nxt) if j is not None and abs(j - h) <= gap]
        if not near:
            continue
        if nxt is not None and nxt - h <= gap:
            out.extend(range(h, nxt))
            continue
        out.append(h)
        for j in range(h + 1, min(len(texts), h + 1 + gap)):
            if not (local[j][it] or local[j][idt]):
                break
            out.append(j)
    return out


def tag_lists(texts: Sequence[str], local: Sequence[Sequence[float]], params: Mapping[str, Any]) -> list[int]:
    """A "Tags" header line and the keyword list under it (commas, no closing punctuation)."""
    headers = {h.casefold() for h in params["headers"]}
    it = _F["terminal"]
    out = []
    for i, text in enumerate(texts[:-1]):
        if text.strip().rstrip(":：").strip().casefold() in headers:
            nxt = texts[i + 1]
            if not local[i + 1][it] and len(_COMMA.findall(nxt)) >= params["min_commas"]:
                out.extend((i, i + 1))
    return out


def introduced_lists(texts: Sequence[str], probs: Sequence[float], threshold: float,
                     params: Mapping[str, Any]) -> list[int]:
    """A list inside the article: a line of prose ending in a colon and the short lines under it.

    "You will need the following ingredients:" followed by a handful of short lines is
    part of the article, though each of its lines looks like a menu entry (and the
    colon makes the introducing line look like "Follow us:"). The introducing line
    has at least ``min_words`` words and is kept, or comes right after a kept line.
    A run longer than ``max_lines`` is not taken: a menu that happens to follow such
    a line runs on far longer than a list an article introduces.
    """
    out: list[int] = []
    n = len(texts)
    for i in range(n - 1):
        intro = texts[i].rstrip()
        if not intro.endswith((":", "：")) or len(intro.split()) < params["min_words"]:
            continue
        if probs[i] < threshold and not (i > 0 and probs[i - 1] >= threshold):
            continue
        j = i + 1
        while j < n and probs[j] < threshold and j - i <= params["max_lines"]:
            j += 1
        if j - i > 1 and not (j < n and probs[j] < threshold):
            out.extend(range(i, j))
    return out


def wire_leads(texts: Sequence[str], params: Mapping[str, Any]) -> list[int]:
    """Lines that open a wire story with its dateline ("LONDON (AP) — ..."): the article's first paragraph.

    Around the lead sit the headline, byline and share buttons, so its neighbours can
    drag its score down; the dateline says what it is.
    """
    is_lead = patterns.search_any(params["patterns"])
    return [i for i, text in enumerate(texts) if is_lead(text.strip())]


def interview_lines(texts: Sequence[str], params: Mapping[str, Any]) -> list[int]:
    """The question and answer lines of a Q&A interview ("Q: ...", "A: ...").

    An answer can be a short list ("A: Bob Marley, Drake, The Eagles") that looks like
    chrome on its own; a page with at least ``min_questions`` questions and as many
    answers is an interview, and those lines are its text.
    """
    is_question, is_answer = (patterns.search_any(params[k]) for k in ("question_patterns", "answer_patterns"))
    questions = [i for i, t in enumerate(texts) if is_question(t.strip())]
    answers = [i for i, t in enumerate(texts) if is_answer(t.strip())]
    if min(len(questions), len(answers)) < params["min_questions"]:
        return []
    return sorted(questions + answers)


def schedules(texts: Sequence[str], params: Mapping[str, Any]) -> list[int]:
    """Runs of dated lines ("June 20 -- PPL Center, Allentown, PA"): a tour, a race calendar, a timetable.

    One such line can be a page's date stamp; ``min_lines`` of them in a row are a list
    the article prints, though each line looks like a menu entry.
    """
    if not params["patterns"]:
        return []
    # A date has digits: the cheap test first, the patterns only on lines that pass it.
    is_item = patterns.search_any(params["patterns"])
    dated = [bool(_DIGIT.search(t)) and is_item(t.strip()) for t in texts]
    return [i for i, (a, b) in enumerate(_runs(dated)) if dated[i] and b - a >= params["min_lines"]]


# "LONDON (AP) — ", "HAYWARD, Calif. (AP) — ", "WASHINGTON (Reuters) - ": a city in capitals,
# perhaps a state or country, a wire service in brackets, a dash, then the story.
_WIRE_DATELINE = (r"^[A-Z][A-Z .'’-]{1,40}(?:, [A-Z][\w.' ]{1,30})? "
                  r"\((?:AP|Reuters|AFP|Bloomberg|UPI|dpa|Xinhua|Kyodo|Yonhap|ANSA|EFE|PTI|IANS)\) ?[—–-] ?\w")


@check(
    "line_shape",
    model={r: {"stage1": {"bias": 1.0, "weights": {}}, "stage2": {"bias": 1.0, "weights": {}}}
           for r in ("page", "extract")},
    threshold={"page": 0.5, "extract": 0.5},
    short_words=4,
    page_lines=[30, 50],
    page_short_share=[0.45, 0.3],
    windows=[1, 3, 10],
    anchor_probability=0.5,
    anchor_words=8,
    anchor_gap=10,
    lead_share=0.0,
    min_lines=6,
    headline={"max_lines": 3, "min_words": 3, "max_words": 20, "next_min_words": 12},
    tags={"headers": ["Tags", "Tag", "Tagged", "Topics", "Related topics", "Filed under", "Etiquetas", "Marcadores",
                      "Temas", "Теги", "Метки", "Тэги", "タグ", "Label"], "min_commas": 2},
    comments={"head_patterns": [r"^\S+(?: \S+){0,3} (?:says|said|wrote|writes|commented|replied)\s*:$"],
              "min_heads": 2, "max_gap": 6},
    list_intro={"min_words": 6, "max_lines": 15},
    leads={"patterns": [_WIRE_DATELINE]},
    schedules={"patterns": [], "min_lines": 3},
    interview={"question_patterns": [r"^Q\s?[:.]\s"], "answer_patterns": [r"^A\s?[:.]\s"], "min_questions": 3},
    regex_params={"comments.head_patterns": (), "leads.patterns": (), "schedules.patterns": (),
                  "interview.question_patterns": (), "interview.answer_patterns": ()},
)
def line_shape(doc: Document, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Lines whose shape and neighbours say site chrome rather than article prose."""
    segs: list[Segment] = [s for s in doc.lines if s.text.strip()]
    if not segs:
        return
    texts = [s.text for s in segs]
    local = document_features(texts)
    # Too few lines to tell a run of prose from chrome: only the headline and comment kinds apply.
    probs = score_local(local, params) if len(segs) >= params["min_lines"] else [1.0] * len(segs)
    kind = regime(local, params)
    threshold = params["threshold"][kind]
    # A headline block is only told apart from a short article's first lines on a page long enough to have
    # a body; on a few lines the verdict flips when a punctuation fix changes the next line.
    leads = wire_leads(texts, params["leads"])
    top: list[int] = []
    if kind == "extract" and len(segs) >= params["min_lines"]:
        top = leading_headline(local, params["headline"], frozenset(leads))
    for i in top:
        yield Hit(segs[i].start, segs[i].end, signals=("headline",),
                  message="Headline, kicker or date above the first paragraph of an extracted article.")
        probs[i] = max(probs[i], threshold)  # reported once
    for i in [*leads, *interview_lines(texts, params["interview"]),
              *schedules(texts, params["schedules"])]:
        probs[i] = max(probs[i], threshold)
    for i in introduced_lists(texts, probs, threshold, params["list_intro"]):
        probs[i] = max(probs[i], threshold)  # kept by the model's verdict; tag lists and comments still apply
    for i in tag_lists(texts, local, params["tags"]):
        if probs[i] >= threshold:
            yield Hit(segs[i].start, segs[i].end, signals=("tag-list",), message="Tag list below the article.")
    for i in comment_blocks(texts, local, params["comments"]):
        if probs[i] >= threshold:
            yield Hit(segs[i].start, segs[i].end, signals=("reader-comment",),
                      message="Reader comment below the article.")
    for i, (seg, p) in enumerate(zip(segs, probs, strict=True)):
        if p < threshold:
            yield Hit(seg.start, seg.end, signals=_reasons(local[i]), data={"content_probability": round(p, 3)},
                      message=f"Line looks like site chrome (content probability {p:.2f}).")
