// The console's only static assets: one stylesheet and one small script, served from memory.
// Nothing is fetched from elsewhere at run time (no CDN, no web fonts).

/** Phone-first: one column, 44 px touch targets, system fonts with CJK fallbacks. Colours
 * meet WCAG AA contrast on their backgrounds (checked with axe-core in the browser tests). */
export const stylesheet = `
:root {
  --text: #1b1b1b; --muted: #4a4a4a; --bg: #ffffff; --panel: #f4f6f8; --line: #c9d1d9;
  --brand: #0a5297; --brand-dark: #073c6e; --ok: #17602a; --ok-bg: #e6f4ea;
  --bad: #a3001b; --bad-bg: #fdecee; --warn: #7a4a00; --warn-bg: #fff4dc; --focus: #ffbf47;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; color: var(--text); background: var(--bg); line-height: 1.6; font-size: 1rem;
  font-family: system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB",
    "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", sans-serif;
}
a { color: var(--brand); text-underline-offset: 2px; }
a:hover { color: var(--brand-dark); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; box-shadow: 0 0 0 5px #1b1b1b; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.skip { position: absolute; left: -999px; top: 0; background: var(--bg); padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: .5rem; }
header.top { background: var(--brand); color: #fff; padding: .5rem 1rem; }
header.top a, header.top button.link { color: #fff; }
.top-row { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; max-width: 60rem; margin: 0 auto; }
.brand { font-weight: 700; font-size: 1.15rem; text-decoration: none; margin-right: auto; }
.who { font-size: .9rem; }
form.switch { display: inline-flex; flex-wrap: wrap; align-items: center; gap: .25rem .5rem; margin: 0; }
form.switch select { width: auto; max-width: 16rem; min-height: 2.25rem; padding: .15rem .35rem; }
form.switch button { min-height: 2.25rem; padding: .15rem .75rem; background: #fff; color: var(--brand); border-color: #fff; }
.banner.dev { border-style: dashed; }
.banner.dev code { font-size: 1.4rem; letter-spacing: .15em; }
ul.capacities { list-style: none; padding: 0; display: grid; gap: .5rem; }
ul.capacities form { margin: 0; }
nav.main ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: .25rem auto 0; padding: 0; max-width: 60rem; }
nav.main a { display: inline-block; padding: .35rem 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
main:focus { outline: none; }
footer { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: var(--muted); font-size: .9rem; }
h1 { font-size: 1.5rem; line-height: 1.3; margin: .5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 1.75rem 0 .75rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
.breadcrumb ol { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem; padding: 0; margin: 0 0 .5rem; font-size: .9rem; }
.breadcrumb li + li::before { content: "›"; margin-right: .25rem; color: var(--muted); }
.muted { color: var(--muted); }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; margin: .75rem 0; }
.cards { list-style: none; padding: 0; margin: 0; display: grid; gap: .75rem; }
.cards > li { border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; }
.cards a.title { font-weight: 600; font-size: 1.05rem; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .85rem; border: 1px solid currentColor; white-space: nowrap; }
.badge.ok { color: var(--ok); background: var(--ok-bg); }
.badge.bad { color: var(--bad); background: var(--bad-bg); }
.badge.warn { color: var(--warn); background: var(--warn-bg); }
.badge.info { color: var(--brand-dark); background: #e7f0fa; }
.banner { border-radius: 8px; padding: .75rem 1rem; margin: .75rem 0; border: 2px solid; }
.banner.ok { border-color: var(--ok); background: var(--ok-bg); }
.banner.bad { border-color: var(--bad); background: var(--bad-bg); }
.banner.warn { border-color: var(--warn); background: var(--warn-bg); }
.banner p { margin: .25rem 0; }
.verdict { font-size: 1.35rem; font-weight: 700; }
.verdict::first-letter { text-transform: uppercase; }
.verdict.ok { color: var(--ok); }
.verdict.bad { color: var(--bad); }
ol.stages { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: .35rem; counter-reset: stage; }
ol.stages li { counter-increment: stage; border: 1px solid var(--line); border-radius: 6px; padding: .15rem .5rem; font-size: .9rem; }
ol.stages li::before { content: counter(stage) ". "; }
ol.stages li.done { color: var(--ok); border-color: var(--ok); }
ol.stages li[aria-current="step"] { background: var(--brand); color: #fff; border-color: var(--brand); font-weight: 600; }
ul.words { padding-left: 1.25rem; }
ul.words li.ok::marker { content: "✓ "; color: var(--ok); }
ul.words li.bad::marker { content: "✗ "; color: var(--bad); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .95rem; }
th, td { border-bottom: 1px solid var(--line); padding: .4rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--panel); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; }
/* Accounts keep readable columns and scroll sideways on a phone (their region is focusable). */
.scroll > table.accounts { min-width: 40rem; }
td.num { white-space: nowrap; }
form.action { border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; margin: .75rem 0; background: var(--bg); }
form.action > h3, form.action legend.title { margin-top: 0; }
.field { margin: .6rem 0; }
.field label, .field legend { display: block; font-weight: 600; margin-bottom: .2rem; }
.field .hint { display: block; color: var(--muted); font-size: .9rem; font-weight: 400; }
.field .error { display: block; color: var(--bad); font-weight: 600; }
fieldset { border: 1px solid var(--line); border-radius: 6px; margin: .6rem 0; padding: .5rem .75rem; }
fieldset.choices { border: 0; padding: 0; margin: .6rem 0; }
.choice { display: flex; align-items: center; gap: .5rem; min-height: 44px; }
.choice input { width: 1.35rem; height: 1.35rem; margin: 0; }
.choice label { font-weight: 400; margin: 0; }
.row { display: flex; flex-wrap: wrap; gap: .75rem; }
.row > .field { flex: 1 1 12rem; }
input[type=text], input[type=tel], input[type=number], input[type=datetime-local], input[type=date], input[type=time], input[type=search], select, textarea {
  width: 100%; font: inherit; padding: .55rem .6rem; border: 1px solid #6b7480; border-radius: 6px; min-height: 44px; background: #fff; color: var(--text);
}
input[aria-invalid=true], textarea[aria-invalid=true], select[aria-invalid=true] { border: 2px solid var(--bad); }
textarea { min-height: 6rem; }
button, .button {
  font: inherit; font-weight: 600; min-height: 44px; padding: .5rem 1.1rem; border-radius: 6px; cursor: pointer;
  border: 2px solid var(--brand); background: var(--brand); color: #fff; text-decoration: none; display: inline-block;
}
button:hover, .button:hover { background: var(--brand-dark); border-color: var(--brand-dark); color: #fff; }
button.secondary, .button.secondary { background: #fff; color: var(--brand); }
button.secondary:hover, .button.secondary:hover { background: #e7f0fa; color: var(--brand-dark); }
button.link { background: none; border: 0; padding: 0; min-height: 0; text-decoration: underline; font-weight: 400; color: var(--brand); }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin: .75rem 0; }
pre.minutes { white-space: pre-wrap; font: inherit; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .75rem; }
code, .hash { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .85rem; word-break: break-all; }
summary h2, summary h3 { border: 0; margin: 0; padding: 0; display: inline; }
details > summary { cursor: pointer; min-height: 44px; display: flex; align-items: center; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: .5rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
@media (max-width: 30rem) {
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-bottom: .4rem; }
  h1 { font-size: 1.3rem; }
  .hide-narrow { display: none; }
}
`;

/** Progressive enhancement only: every page works without it. Refreshes live regions (the
 * provisional tally) while the page is visible. */
export const script = `
(function () {
  var regions = document.querySelectorAll('[data-refresh]');
  Array.prototype.forEach.call(regions, function (el) {
    var url = el.getAttribute('data-refresh');
    var every = Number(el.getAttribute('data-interval') || '4000');
    var last = null;
    setInterval(function () {
      if (document.hidden) return;
      fetch(url, { credentials: 'same-origin', headers: { 'x-fragment': '1' } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (text) {
          if (text !== null && text !== last) { last = text; el.innerHTML = text; }
        })
        .catch(function () {});
    }, every);
  });
})();
`;
