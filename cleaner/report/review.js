// The review tool of a cleaner audit report. The report is complete without it;
// this script adds filters, keyboard navigation, accept/reject decisions, a live
// cleaned copy and decision export (or saving, under `cleaner review`).
//
// The cleaned copy is computed exactly as cleaner computes it: decide()
// (removals take whole lines, replacements skip what a removal took) and
// tidy() (whitespace left by edits) are line-for-line ports of
// cleaner/decide.py and cleaner/clean.py, and the browser test checks that
// this preview equals what `cleaner apply` writes.
(function () {
  "use strict";
  var dataEl = document.getElementById("cleaner-data");
  if (!dataEl) return;
  var DATA = JSON.parse(dataEl.textContent);
  if (!DATA.findings.length || !document.getElementById("finding-list")) return;  // nothing to review
  document.documentElement.classList.add("js");

  // ---- offsets: the report's offsets are code points, JavaScript strings are UTF-16 ----
  var TEXT = DATA.text;
  var toUnit = (function () {
    if (!/[\uD800-\uDFFF]/.test(TEXT)) return function (x) { return x; };
    var map = [], u = 0, cp = 0;
    for (var i = 0; i < TEXT.length; i++) {
      var c = TEXT.charCodeAt(i);
      map[cp++] = u;
      if (c >= 0xD800 && c <= 0xDBFF && i + 1 < TEXT.length) { i++; u += 2; } else { u += 1; }
    }
    map[cp] = u;
    return function (x) { return map[x] === undefined ? u : map[x]; };
  })();
  var FINDINGS = DATA.findings.map(function (f) {
    return Object.assign({}, f, { s: toUnit(f.start), e: toUnit(f.end) });
  });
  var BODY_START = toUnit(DATA.body_start);
  var RANK = { info: 1, warning: 2, error: 3 };

  // ---- decisions ----
  var decisions = {};  // fingerprint -> "accept" | "reject"

  function effectiveAction(f) {
    var d = decisions[f.fingerprint];
    if (d === "reject") return "flag";
    if (d === "accept" && f.action === "flag") return f.replacement !== null ? "replace" : "remove";
    return f.action;
  }
  function willApply(f) {
    var d = decisions[f.fingerprint];
    if (d === "accept") return true;
    if (d === "reject") return false;
    return f.applied;
  }

  // ---- port of cleaner/decide.py ----
  function wholeLines(orig, start, end) {
    var ls = start > 0 ? orig.lastIndexOf("\n", start - 1) + 1 : 0;
    var le = orig.indexOf("\n", end);
    if (le < 0) le = orig.length;
    if (orig.slice(ls, start).trim() || orig.slice(end, le).trim()) return [start, end];
    if (le < orig.length) return [ls, le + 1];
    return [ls > 0 ? ls - 1 : ls, le];
  }
  function union(a, b) { return a.concat(b.filter(function (r) { return a.indexOf(r) < 0; })); }
  function edit(start, end, removed, replacement, rules) {
    return { start: start, end: end, removed: removed, replacement: replacement, rules: rules };
  }
  function mergeEdits(edits, orig) {
    var sorted = edits.slice().sort(function (a, b) { return a.start - b.start || b.end - a.end; });
    var out = [];
    sorted.forEach(function (e) {
      var prev = out[out.length - 1];
      if (prev && (e.start < prev.end || (e.start === prev.end && prev.end === e.end && e.start === e.end))) {
        if (e.end <= prev.end) {
          out[out.length - 1] = edit(prev.start, prev.end, prev.removed, prev.replacement, union(prev.rules, e.rules));
          return;
        }
        var replacement = !e.replacement ? prev.replacement : prev.replacement + e.replacement;
        out[out.length - 1] = edit(prev.start, e.end, orig.slice(prev.start, e.end), replacement, union(prev.rules, e.rules));
        return;
      }
      out.push(e);
    });
    return out;
  }
  function decide(orig) {
    var edits = [], taken = [];
    FINDINGS.forEach(function (f) {
      if (effectiveAction(f) === "remove" && f.e > f.s) {
        var span = wholeLines(orig, f.s, f.e);
        edits.push(edit(span[0], span[1], orig.slice(span[0], span[1]), "", [f.rule]));
        taken.push(span);
      }
    });
    FINDINGS.filter(function (f) { return effectiveAction(f) === "replace" && f.replacement !== null; })
      .map(function (f, i) { return [f, i]; })
      .sort(function (a, b) {
        return (RANK[b[0].severity] || 0) - (RANK[a[0].severity] || 0) || a[0].s - b[0].s || a[1] - b[1];
      })
      .forEach(function (pair) {
        var f = pair[0];
        var free = taken.every(function (t) { return !(f.s < t[1] && t[0] < f.e); });
        if (f.e > f.s && free) {
          edits.push(edit(f.s, f.e, orig.slice(f.s, f.e), f.replacement || "", [f.rule]));
          taken.push([f.s, f.e]);
        }
      });
    return mergeEdits(edits, orig);
  }

  // ---- port of cleaner/clean.py ----
  function applyEdits(orig, edits) {
    var parts = [], last = 0;
    edits.forEach(function (e) { parts.push(orig.slice(last, e.start), e.replacement); last = e.end; });
    parts.push(orig.slice(last));
    return parts.join("");
  }
  function pieces(orig, edits) {
    var out = [], last = 0;
    edits.forEach(function (e) {
      if (e.start > last) out.push({ start: last, end: e.start, text: orig.slice(last, e.start), edit: null });
      out.push({ start: e.start, end: e.end, text: e.replacement, edit: e });
      last = e.end;
    });
    if (last < orig.length) out.push({ start: last, end: orig.length, text: orig.slice(last), edit: null });
    return out;
  }
  function rewrite(orig, edits, cstart, cend, neu, rule) {
    var covered = [], pos = 0;
    pieces(orig, edits).forEach(function (p) {
      var pend = pos + p.text.length;
      var inside = pend > pos ? (pos < cend && pend > cstart) : (p.edit !== null && cstart <= pos && pos <= cend);
      if (inside) covered.push([p, pos]);
      pos = pend;
    });
    if (!covered.length) {
      var at = orig.length;
      return edits.concat([edit(at, at, "", neu, [rule])]);
    }
    var first = covered[0][0], fpos = covered[0][1];
    var last = covered[covered.length - 1][0], lpos = covered[covered.length - 1][1];
    var ostart, prefix, oend, suffix;
    if (first.edit === null) { ostart = first.start + (cstart - fpos); prefix = ""; }
    else { ostart = first.start; prefix = first.text.slice(0, Math.max(cstart - fpos, 0)); }
    if (last.edit === null) { oend = last.start + (cend - lpos); suffix = ""; }
    else { oend = last.end; suffix = last.text.slice(Math.max(cend - lpos, 0)); }
    var rules = [];
    covered.forEach(function (c) { if (c[0].edit !== null) rules = union(rules, c[0].edit.rules); });
    var merged = edit(ostart, oend, orig.slice(ostart, oend), prefix + neu + suffix, union(rules, [rule]));
    var kept = edits.filter(function (e) { return e.end <= ostart || e.start >= oend; });
    return kept.concat([merged]).sort(function (a, b) { return a.start - b.start || a.end - b.end; });
  }
  function cleanedOffset(edits, orig) {
    var shift = 0;
    edits.forEach(function (e) { if (e.end <= orig) shift += e.replacement.length - (e.end - e.start); });
    return orig + shift;
  }
  function editBounds(edits) {
    var out = [], shift = 0;
    edits.forEach(function (e) {
      var at = e.start + shift;
      out.push(at, at + e.replacement.length);
      shift += e.replacement.length - (e.end - e.start);
    });
    return out;
  }
  function bisectLeft(a, x) {
    var lo = 0, hi = a.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (a[mid] < x) lo = mid + 1; else hi = mid; }
    return lo;
  }
  function matchesFrom(re, text, pos) {
    var out = [], m;
    re.lastIndex = pos;
    while ((m = re.exec(text)) !== null) {
      out.push([m.index, m.index + m[0].length, m[0]]);
      if (m[0].length === 0) re.lastIndex++;
    }
    return out;
  }
  function pyRstrip(s) { return s.replace(/\s+$/, ""); }
  function untidy(cleaned, orig, edits, bodyStart) {
    var body = cleanedOffset(edits, bodyStart);
    var fixes = [];
    matchesFrom(/[ \t]*(?:\r?\n[ \t]*){3,}/g, cleaned, Math.max(body - 1, 0)).forEach(function (m) {
      var nl = m[2].indexOf("\r\n") >= 0 ? "\r\n" : "\n";
      fixes.push([m[0], m[1], nl + nl]);
    });
    matchesFrom(/[ \t]+(?=\r?\n)/g, cleaned, body).forEach(function (m) { fixes.push([m[0], m[1], ""]); });
    var lead = /^\s+/.exec(cleaned);
    if (bodyStart === 0 && lead && edits.length && edits[0].start <= lead[0].length) fixes.push([0, lead[0].length, ""]);
    var endWs = cleaned.length - pyRstrip(cleaned).length;
    var want = (/\n$/.test(orig) && cleaned.trim()) ? "\n" : "";
    if (cleaned.slice(cleaned.length - endWs) !== want && (endWs || want)) {
      fixes.push([cleaned.length - endWs, cleaned.length, want]);
    }
    var bounds = editBounds(edits);
    matchesFrom(/(?<=\S)  +(?=\S)/g, cleaned, body).forEach(function (m) {
      var i = bisectLeft(bounds, m[0]);
      if (i < bounds.length && bounds[i] <= m[1]) fixes.push([m[0], m[1], " "]);
    });
    fixes.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0); });
    var out = [];
    fixes.forEach(function (fix) {
      var prev = out[out.length - 1];
      if (!prev || (fix[0] >= prev[1] && !(fix[0] === fix[1] && fix[1] === prev[1]))) out.push(fix);
    });
    return out;
  }
  function tidy(orig, edits, bodyStart) {
    for (var round = 0; round < 16; round++) {
      var cleaned = applyEdits(orig, edits);
      var fixes = untidy(cleaned, orig, edits, bodyStart);
      if (!fixes.length) return edits;
      for (var k = fixes.length - 1; k >= 0; k--) {
        edits = rewrite(orig, edits, fixes[k][0], fixes[k][1], fixes[k][2], "whitespace.tidy");
      }
    }
    return edits;
  }
  function cleanedCopy() {
    var edits = tidy(TEXT, decide(TEXT), BODY_START);
    return { text: applyEdits(TEXT, edits), edits: edits };
  }

  // ---- the page ----
  var list = document.getElementById("finding-list");
  var items = {};
  document.querySelectorAll("li.finding").forEach(function (li) { items[li.getAttribute("data-n")] = li; });
  var byN = {};
  FINDINGS.forEach(function (f) { byN[f.n] = f; });
  var cleanedEl = document.getElementById("cleaned-text");
  var cleanedCount = document.getElementById("cleaned-count");
  var status = document.getElementById("review-status");
  var saveStatus = document.getElementById("save-status");
  document.querySelectorAll("[data-review]").forEach(function (el) { el.hidden = false; });

  var LABELS = {
    remove: ["Remove", "Keep"], flag: ["Remove", "Keep"], replace: ["Replace", "Keep"],
  };
  function describe(f) {
    var tool = f.applied ? (f.action === "replace" ? "replaces" : "removes") : (f.action === "flag" ? "flags" : "keeps");
    var d = decisions[f.fingerprint];
    var act = effectiveAction(f);
    var outcome = willApply(f) ? (act === "replace" ? "replaced" : "removed") : "kept";
    if (!d) return "Tool " + tool + " it · " + outcome;
    return "You: " + (d === "accept" ? LABELS[f.action][0].toLowerCase() : "keep") + " · " + outcome;
  }

  function refresh() {
    var result = cleanedCopy();
    cleanedEl.textContent = result.text;
    cleanedCount.textContent = "(" + result.text.length.toLocaleString("en-US") + " characters" +
      (Object.keys(decisions).length ? ", with your decisions" : "") + ")";
    FINDINGS.forEach(function (f) {
      var li = items[f.n];
      if (!li) return;
      var d = decisions[f.fingerprint] || "";
      li.setAttribute("data-decision", d);
      li.querySelector(".outcome").textContent = describe(f);
      li.querySelectorAll("button[data-d]").forEach(function (b) {
        b.setAttribute("aria-pressed", String(b.getAttribute("data-d") === d));
      });
    });
    document.querySelectorAll("#original-text a.hl").forEach(function (a) {
      var gone = false;
      a.classList.forEach(function (c) {
        if (c.indexOf("f-") === 0) {
          var f = byN[c.slice(2)];
          if (f && willApply(f) && effectiveAction(f) === "remove") gone = true;
        }
      });
      a.classList.toggle("removed", gone);
    });
    var n = Object.keys(decisions).length;
    var kept = Object.keys(decisions).filter(function (k) { return decisions[k] === "reject"; }).length;
    status.textContent = n ? n + " decision" + (n === 1 ? "" : "s") + " (" + (n - kept) + " accepted, " + kept + " rejected)"
      : "No decisions yet: the tool's actions stand.";
  }

  function setDecision(f, d) {
    if (d === null || decisions[f.fingerprint] === d) delete decisions[f.fingerprint];
    else decisions[f.fingerprint] = d;
    refresh();
    scheduleSave();
  }

  // ---- filters and keyboard ----
  var filters = { category: document.getElementById("filter-category"), severity: document.getElementById("filter-severity"),
                  rule: document.getElementById("filter-rule"), decision: document.getElementById("filter-decision") };
  function visible(f) {
    var d = decisions[f.fingerprint] || "none";
    return (!filters.category.value || f.category === filters.category.value) &&
      (!filters.severity.value || f.severity === filters.severity.value) &&
      (!filters.rule.value || f.rule === filters.rule.value) &&
      (!filters.decision.value || filters.decision.value === d);
  }
  function applyFilters() {
    var shown = 0;
    FINDINGS.forEach(function (f) {
      var on = visible(f);
      if (items[f.n]) items[f.n].hidden = !on;
      var mark = document.getElementById("hl-" + f.n);
      if (mark) mark.classList.toggle("dim", !on);
      if (on) shown++;
    });
    document.getElementById("shown-count").textContent = shown + " of " + FINDINGS.length + " shown";
    if (current && !visible(current)) focusFinding(null);
  }
  Object.keys(filters).forEach(function (k) { filters[k].addEventListener("change", applyFilters); });

  var current = null;
  function focusFinding(f, scroll) {
    if (current && items[current.n]) items[current.n].classList.remove("current");
    current = f;
    if (!f) return;
    var li = items[f.n];
    li.classList.add("current");
    if (scroll !== false) {
      li.scrollIntoView({ block: "nearest" });
      var mark = document.getElementById("hl-" + f.n);
      if (mark) mark.scrollIntoView({ block: "center" });
    }
  }
  function step(delta) {
    var shown = FINDINGS.filter(visible);
    if (!shown.length) return;
    var i = current ? shown.indexOf(current) : -1;
    i = i < 0 ? (delta > 0 ? 0 : shown.length - 1) : Math.min(Math.max(i + delta, 0), shown.length - 1);
    focusFinding(shown[i]);
  }
  document.addEventListener("keydown", function (ev) {
    var tag = (ev.target && ev.target.tagName) || "";
    if (ev.ctrlKey || ev.metaKey || ev.altKey || tag === "SELECT" || tag === "INPUT" || tag === "TEXTAREA") return;
    var key = ev.key;
    if (key === "j" || key === "n" || key === "ArrowDown") step(1);
    else if (key === "k" || key === "p" || key === "ArrowUp") step(-1);
    else if (key === "a" && current) setDecision(current, "accept");
    else if ((key === "r" || key === "x") && current) setDecision(current, "reject");
    else if (key === "u" && current) setDecision(current, null);
    else if (key === "?") document.getElementById("keys-help").toggleAttribute("open");
    else return;
    ev.preventDefault();
  });
  list.addEventListener("click", function (ev) {
    var button = ev.target.closest("button[data-d]");
    var li = ev.target.closest("li.finding");
    if (!li) return;
    var f = byN[li.getAttribute("data-n")];
    focusFinding(f, false);
    if (button) setDecision(f, button.getAttribute("data-d"));
  });

  // ---- export and saving ----
  function articleDecisions() {
    return {
      source: DATA.source, input: DATA.input, sha256: DATA.sha256,
      decisions: FINDINGS.filter(function (f) { return decisions[f.fingerprint]; }).map(function (f) {
        return { fingerprint: f.fingerprint, decision: decisions[f.fingerprint], rule: f.rule, action: f.action,
                 line: f.line, column: f.column, excerpt: f.excerpt };
      }),
    };
  }
  document.getElementById("export-decisions").addEventListener("click", function () {
    var doc = { kind: "cleaner-decisions", version: 1, articles: [articleDecisions()] };
    var blob = new Blob([JSON.stringify(doc, null, 2) + "\n"], { type: "application/json" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = DATA.stem + ".decisions.json";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  });

  // Under `cleaner review` the page is served from http://127.0.0.1:PORT/TOKEN/…;
  // decisions are saved to the run's decisions file through the same origin.
  var served = location.protocol === "http:" && location.hostname === "127.0.0.1";
  var api = served ? "/" + location.pathname.split("/")[1] + "/api/decisions" : null;
  var saveTimer = null;
  function scheduleSave() {
    if (!api) return;
    clearTimeout(saveTimer);
    saveStatus.textContent = "Saving…";
    saveTimer = setTimeout(save, 250);
  }
  function save() {
    fetch(api, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(articleDecisions()) })
      .then(function (r) { return r.json().then(function (body) { return [r, body]; }); })
      .then(function (rb) {
        saveStatus.textContent = rb[0].ok ? "Saved to " + rb[1].path : "Not saved: " + (rb[1].error || rb[0].status);
        saveStatus.setAttribute("data-state", rb[0].ok ? "saved" : "error");
      })
      .catch(function (err) { saveStatus.textContent = "Not saved: " + err; saveStatus.setAttribute("data-state", "error"); });
  }
  if (api) {
    saveStatus.textContent = "Decisions are saved as you make them.";
    fetch(api).then(function (r) { return r.json(); }).then(function (doc) {
      (doc.articles || []).forEach(function (art) {
        if (art.source !== DATA.source) return;
        (art.decisions || []).forEach(function (d) {
          if (FINDINGS.some(function (f) { return f.fingerprint === d.fingerprint; })) decisions[d.fingerprint] = d.decision;
        });
      });
      refresh();
      applyFilters();
      saveStatus.setAttribute("data-state", "loaded");
    }).catch(function (err) { saveStatus.textContent = "Could not load saved decisions: " + err; });
  }

  refresh();
  applyFilters();
})();
