// The catchup classroom page.
//
// The page holds the whole state of a run: the scenario chosen, the settings, the
// lever values at the start, the lever changes made during the run (as a schedule)
// and the rows drawn so far. The server keeps nothing: to advance, the page posts the
// settings and the schedule with the period it wants to reach, and the server
// simulates from period 1 and answers with the rows the page has not drawn yet (see
// src/serve/mod.rs). So the scenario file the page downloads is exactly what the
// server ran, and `catchup run` on it gives the numbers on the screen.
"use strict";

(() => {
  const SVG = "http://www.w3.org/2000/svg";
  // The colours and markers of the charts come from the server (GET /api/scenarios,
  // src/plot/palette.rs), the same as the PNG and SVG charts': Okabe-Ito colours, each
  // with a marker as a second cue for colour-blind viewers.
  // The charts shown at first are the scenario's own (`charts` in the catalogue,
  // src/serve/classroom.rs: the series its Notice texts speak of); each chart's
  // title is a menu of every column.
  // The run totals shown above the charts: flows summed over the periods so far.
  const MONITORS = ["innovations", "bailouts", "fiscal_cost"];
  // A flow (a quantity per year) can be shown cumulated; its unit says so.
  const isFlow = (name) => /per year/.test(columnInfo(name)?.unit || "");
  // Each column's label and whether it is a share (its axis runs from 0 to 1 at
  // least) come from the server's column catalogue (GET /api/scenarios).
  const columnInfo = (name) => S.meta.columns.find((c) => c.name === name);

  const $ = (id) => document.getElementById(id);
  const copy = (v) => JSON.parse(JSON.stringify(v));

  // Everything about the run on the screen.
  const S = {
    meta: null,        // GET /api/scenarios: limits, levers, columns, scenarios
    sc: null,          // the chosen scenario
    seed: "0",
    periods: 0,
    regimes: {},       // sector -> regime, where changed
    initial: null,     // lever layers at the start: {policy: {...}, sectors: {name: {...}}}
    current: null,     // lever layers in force for the next period
    schedule: [],      // lever changes during the run: [{period, sector?, levers}]
    started: false,    // Setup done (or implied by Step/Play)
    period: 0,         // last period drawn
    requested: 0,      // last period asked for (ahead of `period` while a request runs)
    rows: [],          // the run's rows (sectors and `all`)
    sectors: [],       // the run's sector names, in order (they pick the colours)
    kept: null,        // a kept run: {label, rows, sectors, schedule}
    target: "",        // the layer the sliders move: "" the economy, else a sector
    playing: false,
    busy: false,
    charts: [],        // the column of each chart
    cumulative: false, // flows drawn as running totals
    firmsOn: true,     // the firm view is shown (and asked of the server)
    firmView: null,    // the firms at the last period drawn (a run reply's firm_view)
    firmSector: "",    // the sector the firm view shows: "" every sector
  };

  // ---- talking to the server ------------------------------------------------------

  async function api(path, body) {
    const options = body === undefined ? {} : {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    };
    let response;
    try {
      response = await fetch(path, options);
    } catch (e) {
      throw new Error("The server does not answer: is `catchup serve` still running? Start it again; the page keeps its settings, and Step goes on from where it was.");
    }
    let data = null;
    try {
      data = await response.json();
    } catch (e) {
      throw new Error(`${path}: the server answered ${response.status} without JSON`);
    }
    if (!response.ok) throw new Error(data.error || `${path}: ${response.status}`);
    return data;
  }

  // The lever values of `layer` that differ from those of `base`.
  function changed(layer, base) {
    const out = {};
    for (const [k, v] of Object.entries(layer || {})) {
      if (base === undefined || base[k] !== v) out[k] = v;
    }
    return out;
  }

  function seedValue() {
    const text = String(S.seed).trim();
    const n = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) {
      throw new Error(`settings: the seed must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, found "${text}"`);
    }
    return n;
  }

  // The run request for periods 1..until, returning rows from `from` on.
  function runRequest(until, from) {
    const body = {
      base: S.sc.name,
      seed: seedValue(),
      periods: S.periods,
      until,
      from,
    };
    const policy = changed(S.initial.policy, leverValues(S.sc.policy));
    if (Object.keys(policy).length) body.policy = policy;
    const sectors = {};
    for (const sec of S.sc.sectors) {
      const own = changed(S.initial.sectors[sec.name], leverValues(sec.policy));
      if (Object.keys(own).length) sectors[sec.name] = own;
    }
    if (Object.keys(sectors).length) body.sectors = sectors;
    if (Object.keys(S.regimes).length) body.regimes = S.regimes;
    if (S.schedule.length) body.schedule = S.schedule;
    if (S.firmsOn) body.firms = true;
    return body;
  }

  // ---- the run ----------------------------------------------------------------------

  // Starts a new run at period 0 with the settings and levers as they are now.
  async function setup() {
    S.playing = false;
    S.initial = copy(S.current);
    S.schedule = [];
    S.rows = [];
    S.firmView = null;
    S.period = 0;
    S.requested = 0;
    S.started = false;
    hideMessage();
    try {
      S.busy = true;
      renderAll();
      await api("/api/run", runRequest(0, 1));
      S.started = true;
      return true;
    } catch (e) {
      showMessage(e.message, "error");
      return false;
    } finally {
      S.busy = false;
      renderAll();
    }
  }

  // Simulates `n` more periods (fewer at the end of the run).
  async function step(n = 1) {
    if (S.busy) return false;
    if (!S.started && !(await setup())) return false;
    if (S.period >= S.periods) {
      showMessage("The run is over. Setup starts a new run from the levers as they are now; Keep this run first to compare.", "info");
      return false;
    }
    const until = Math.min(S.period + n, S.periods);
    S.busy = true;
    S.requested = until;
    renderClock();
    try {
      const reply = await api("/api/run", runRequest(until, S.period + 1));
      S.rows.push(...reply.rows);
      S.firmView = reply.firm_view || null;
      S.period = reply.until;
      S.sectors = reply.sectors.map((s) => s.name);
      return true;
    } catch (e) {
      S.requested = S.period;
      S.playing = false;
      showMessage(e.message, "error");
      return false;
    } finally {
      S.busy = false;
      renderClock();
      renderSettings();
      renderChanges();
      renderCharts();
    }
  }

  async function play() {
    if (S.playing) {
      S.playing = false;
      renderClock();
      return;
    }
    if (S.busy) return;
    if (!S.started && !(await setup())) return;
    if (S.period >= S.periods) {
      await step(1);
      return;
    }
    S.playing = true;
    renderClock();
    while (S.playing && S.period < S.periods) {
      const started = performance.now();
      const speed = Number($("speed").value);
      // Above 15 periods a second, two periods per request keep the pace.
      const n = speed > 15 ? 2 : 1;
      if (!(await step(n))) break;
      const wait = (1000 * n) / speed - (performance.now() - started);
      if (wait > 0) await new Promise((done) => setTimeout(done, wait));
    }
    S.playing = false;
    renderClock();
  }

  // A lever moved: before the first period it sets the run's starting value; during
  // the run it becomes a schedule entry for the next period not yet asked for.
  function moveLever(key, value) {
    const layer = (levers) => {
      if (!S.target) return levers.policy;
      levers.sectors[S.target] = levers.sectors[S.target] || {};
      return levers.sectors[S.target];
    };
    layer(S.current)[key] = value;
    if (!S.started || S.requested === 0) {
      layer(S.initial)[key] = value;
    } else {
      const period = S.requested + 1;
      if (period > S.periods) {
        showMessage("The run is over, so this change waits for the next run: Setup starts one from the levers as they are now.", "info");
      } else {
        const sector = S.target || undefined;
        let entry = S.schedule.find((e) => e.period === period && e.sector === sector);
        if (!entry) {
          entry = sector ? { period, sector, levers: {} } : { period, levers: {} };
          S.schedule.push(entry);
        }
        entry.levers[key] = value;
      }
    }
    renderLevers();
    renderChanges();
    renderLegend();
    renderCharts();
  }

  function keep() {
    if (!S.rows.length) {
      showMessage("Nothing to keep yet: Step or Play first.", "info");
      return;
    }
    const changes = S.schedule.length ? `, ${S.schedule.length} lever change(s)` : "";
    S.kept = {
      label: `kept: ${S.sc.name}, seed ${S.seed}, periods 1–${S.period}${changes}`,
      rows: S.rows.slice(),
      sectors: S.sectors.slice(),
      periods: S.periods,
      schedule: copy(S.schedule),
      scenario: S.sc.name,
      seed: S.seed,
      initial: copy(S.initial),
      regimes: copy(S.regimes),
    };
    renderLegend();
    renderCharts();
  }

  // What the kept run had that the current one does not: the scenario, the seed,
  // regimes, starting lever values (the kept run's values) and lever changes.
  function differences(k) {
    const out = [];
    if (k.scenario !== S.sc.name) out.push(`scenario ${k.scenario}`);
    if (k.seed !== S.seed) out.push(`seed ${k.seed}`);
    const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
    for (const sector of new Set([...Object.keys(k.regimes), ...Object.keys(S.regimes)])) {
      if (k.regimes[sector] !== S.regimes[sector]) out.push(`${sector} ${k.regimes[sector] || "its own regime"}`);
    }
    const layers = (levers) => ({ "": levers.policy, ...levers.sectors });
    const was = layers(k.initial), now = layers(S.initial);
    for (const layer of new Set([...Object.keys(was), ...Object.keys(now)])) {
      const a = was[layer] || {}, b = now[layer] || {};
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (same(a[key], b[key])) continue;
        const value = a[key] === undefined ? "the economy's value" : fmtValue(a[key]);
        out.push(`${layer ? layer + " " : ""}${key} ${value}`);
      }
    }
    if (!same(k.schedule, S.schedule)) out.push(`${k.schedule.length} lever change(s) during the run`);
    return out;
  }

  // The rows on the screen as CSV: the columns of series.csv, in its order.
  function rowsCsv(rows) {
    const columns = ["period", "sector", "regime", ...S.meta.columns.map((c) => c.name).filter((c) => c !== "period")];
    const cell = (v) => (v === null || v === undefined ? "" : String(v));
    return [columns.join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))].join("\n") + "\n";
  }

  function save(text, type, name) {
    saveBlob(new Blob([text], { type }), name);
  }

  function saveBlob(blob, name) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  function downloadData() {
    if (!S.rows.length) {
      showMessage("Nothing to download yet: Step or Play first.", "info");
      return;
    }
    save(rowsCsv(S.rows), "text/csv", `${S.sc.name}-classroom-series.csv`);
  }

  // The scenario file of the run so far (with any change waiting for the next period).
  async function scenarioToml() {
    const reply = await api("/api/run", runRequest(S.period, S.period + 1));
    return reply.scenario;
  }

  async function download() {
    try {
      save(await scenarioToml(), "application/toml", `${S.sc.name}-classroom.toml`);
    } catch (e) {
      showMessage(e.message, "error");
    }
  }

  // ---- choosing a scenario ------------------------------------------------------------

  function leverValues(policy) {
    const out = {};
    for (const lever of S.meta.levers) {
      if (policy && policy[lever.key] !== undefined && policy[lever.key] !== null) {
        out[lever.key] = policy[lever.key];
      }
    }
    return out;
  }

  function choose(name) {
    const sc = S.meta.scenarios.find((s) => s.name === name) || S.meta.scenarios[0];
    S.sc = sc;
    S.seed = String(sc.seed);
    S.periods = Math.min(sc.periods, S.meta.limits.periods);
    S.regimes = {};
    const sectors = {};
    for (const sec of sc.sectors) sectors[sec.name] = leverValues(sec.policy);
    S.current = { policy: leverValues(sc.policy), sectors };
    S.initial = copy(S.current);
    S.schedule = [];
    S.rows = [];
    S.firmView = null;
    S.firmSector = "";
    S.charts = sc.charts.slice();
    S.sectors = sc.sectors.map((s) => s.name);
    S.period = 0;
    S.requested = 0;
    S.started = false;
    S.playing = false;
    S.target = "";
    $("scenario").value = sc.name;
    if (location.hash !== `#${sc.name}`) history.replaceState(null, "", `#${sc.name}`);
    hideMessage();
    buildCharts();
    renderAll();
  }

  // ---- drawing ------------------------------------------------------------------------

  function renderAll() {
    renderAbout();
    renderSettings();
    renderLevers();
    renderChanges();
    renderClock();
    renderLegend();
    renderCharts();
  }

  // Text with `quoted` names (columns, sectors, keys) shown as code. Built from
  // text nodes, never parsed as HTML.
  function prose(node, text) {
    node.replaceChildren(...String(text).split("`").map((part, i) => {
      if (i % 2 === 0) return document.createTextNode(part);
      const code = document.createElement("code");
      code.textContent = part;
      return code;
    }));
    return node;
  }

  function fillList(id, items) {
    const list = $(id);
    list.replaceChildren(...items.map((text) => prose(document.createElement("li"), text)));
    list.previousElementSibling.hidden = items.length === 0;
  }

  function renderAbout() {
    $("about-title").textContent = S.sc.name;
    prose($("description"), S.sc.description);
    prose($("look-at"), S.sc.look_at);
    fillList("notice", S.sc.notice);
    fillList("try", S.sc.try);
  }

  // The palette entry of a sector: its place in the run's sectors.
  function entry(name, sectors) {
    const entries = S.meta.palette.entries;
    const i = S.sectors.indexOf(name);
    return entries[Math.max(0, i >= 0 ? i : sectors.indexOf(name)) % entries.length];
  }

  function color(name, sectors) {
    return entry(name, sectors).colour;
  }

  // Whether the k-th of n points of entry i's line gets a marker: the rule of
  // `Pen::marks` in src/plot/palette.rs, so marks sit where the PNG charts put them.
  function hasMark(i, k, n) {
    const step = Math.max(1, Math.floor(n / S.meta.palette.marks_per_line));
    return k % step === Math.floor(((i % 4) * step) / 4);
  }

  // A marker of a palette entry centred at (cx, cy), half-width r.
  function markEl(e, cx, cy, r, extra) {
    const open = e.marker.startsWith("open");
    const style = {
      class: "mark", fill: open ? "#ffffff" : e.colour, stroke: e.colour,
      "stroke-width": open ? 1.5 : 0, "data-marker": e.marker, ...extra,
    };
    return e.marker.endsWith("circle")
      ? el("circle", { cx, cy, r, ...style })
      : el("rect", { x: cx - r * 0.9, y: cy - r * 0.9, width: r * 1.8, height: r * 1.8, ...style });
  }

  // A legend swatch: the line with its marker.
  function swatchSvg(e, dashed) {
    const svg = el("svg", { class: "key", viewBox: "0 0 24 12", width: 24, height: 12, "aria-hidden": "true" });
    const line = el("line", { x1: 0, x2: 24, y1: 6, y2: 6, stroke: e.colour, "stroke-width": 2.5 });
    if (dashed) line.setAttribute("stroke-dasharray", "4 3");
    svg.append(line, markEl(e, 12, 6, 4));
    return svg;
  }

  function renderSettings() {
    const locked = S.requested > 0;
    $("seed").value = S.seed;
    $("periods").value = S.periods;
    $("periods").max = S.meta.limits.periods;
    $("seed").disabled = locked;
    $("periods").disabled = locked;
    $("settings-hint").hidden = !locked;
    const body = $("sectors");
    body.replaceChildren(...S.sc.sectors.map((sec) => {
      const tr = document.createElement("tr");
      const name = document.createElement("td");
      const swatch = swatchSvg(entry(sec.name, S.sectors), false);
      name.append(swatch, sec.name);
      const regime = document.createElement("td");
      const select = document.createElement("select");
      select.dataset.sector = sec.name;
      select.setAttribute("aria-label", `Regime of ${sec.name}`);
      for (const r of S.meta.regimes) select.add(new Option(r, r));
      select.value = S.regimes[sec.name] || sec.regime;
      select.disabled = locked;
      select.addEventListener("change", () => {
        if (select.value === sec.regime) delete S.regimes[sec.name];
        else S.regimes[sec.name] = select.value;
      });
      regime.append(select);
      const firms = document.createElement("td");
      firms.className = "num";
      firms.textContent = `${sec.firms_private} + ${sec.firms_soe}`;
      firms.title = `${sec.firms_private} private firms and ${sec.firms_soe} SOEs at the start`;
      tr.append(name, regime, firms);
      return tr;
    }));
  }

  // The value in force for the lever in the chosen layer, and where it comes from.
  function leverState(lever) {
    const economy = S.current.policy[lever.key];
    if (!S.target) return { value: economy, own: true };
    const own = S.current.sectors[S.target] || {};
    return own[lever.key] !== undefined
      ? { value: own[lever.key], own: true }
      : { value: economy, own: false };
  }

  // What else decides the lever for some firms: sectors' own values (seen from the
  // economy) and values for SOEs or private firms only.
  function leverHint(lever, state) {
    const notes = [];
    if (!S.target) {
      const own = S.sc.sectors
        .filter((sec) => (S.current.sectors[sec.name] || {})[lever.key] !== undefined)
        .map((sec) => `${sec.name} ${fmtValue(S.current.sectors[sec.name][lever.key])}`);
      if (own.length) notes.push(`own value in ${own.join(", ")}`);
    } else if (!state.own) {
      notes.push("the economy's value");
    }
    if (lever.per_ownership) {
      const sec = S.sc.sectors.find((s) => s.name === S.target);
      for (const who of ["soe", "private"]) {
        const layers = [sec && sec.policy[who], S.sc.policy[who]];
        const v = layers.map((l) => l && l[lever.key]).find((x) => x !== undefined && x !== null);
        if (v !== undefined) notes.push(`${who === "soe" ? "SOEs" : "private firms"}${S.target ? "" : " (economy)"}: ${fmtValue(v)}`);
      }
    }
    return notes.join("; ");
  }

  function fmtValue(v) {
    if (typeof v === "boolean") return v ? "on" : "off";
    return String(Math.round(v * 1000) / 1000);
  }

  function renderLevers() {
    const target = $("target");
    const options = [["", "the whole economy"], ...S.sc.sectors.map((s) => [s.name, `sector ${s.name}`])];
    if (target.options.length !== options.length || [...target.options].some((o, i) => o.value !== options[i][0])) {
      target.replaceChildren(...options.map(([v, t]) => new Option(t, v)));
    }
    target.value = S.target;
    // The rows are built once and then updated in place: a row rebuilt on every change
    // would take the keyboard focus away from a slider after one arrow key.
    const box = $("levers");
    if (box.children.length !== S.meta.levers.length) {
      box.replaceChildren(...S.meta.levers.map(leverRow));
    }
    S.meta.levers.forEach((lever, i) => {
      const row = box.children[i];
      const state = leverState(lever);
      row.className = "lever" + (state.own ? "" : " inherited");
      row.querySelector("output").textContent = fmtValue(state.value);
      const input = row.querySelector("input");
      if (lever.boolean) {
        input.checked = Boolean(state.value);
      } else {
        input.min = Math.min(lever.min, state.value);
        input.max = Math.max(lever.max, state.value);
        input.value = state.value;
      }
      row.querySelector(".hint").textContent = leverHint(lever, state);
    });
  }

  // One lever's row: its label, value, slider or checkbox and hint (filled in by
  // renderLevers).
  function leverRow(lever) {
    const row = document.createElement("div");
    row.title = lever.help;
    const label = document.createElement("label");
    label.htmlFor = `lever-${lever.key}`;
    label.textContent = lever.label;
    const out = document.createElement("output");
    const input = document.createElement("input");
    if (lever.boolean) {
      input.type = "checkbox";
      input.addEventListener("change", () => moveLever(lever.key, input.checked));
    } else {
      input.type = "range";
      input.step = lever.step;
      input.addEventListener("input", () => { out.textContent = fmtValue(Number(input.value)); });
      input.addEventListener("change", () => {
        const v = lever.integer ? Math.round(Number(input.value)) : Number(input.value);
        moveLever(lever.key, v);
      });
    }
    input.id = `lever-${lever.key}`;
    input.dataset.lever = lever.key;
    const hint = document.createElement("div");
    hint.className = "hint";
    row.append(label, out, input, hint);
    return row;
  }

  function renderChanges() {
    const list = $("changes");
    const items = S.schedule
      .slice()
      .sort((a, b) => a.period - b.period)
      .map((e) => {
        const li = document.createElement("li");
        const what = Object.entries(e.levers).map(([k, v]) => `${k} ${fmtValue(v)}`).join(", ");
        li.textContent = `from period ${e.period}, ${e.sector || "economy"}: ${what}`;
        return li;
      });
    if (!items.length) {
      const li = document.createElement("li");
      li.className = "none";
      li.textContent = S.requested > 0
        ? "none yet: a lever moved now takes effect from the next period"
        : "none: levers moved now set the run's starting values";
      items.push(li);
    }
    list.replaceChildren(...items);
  }

  function renderClock() {
    $("period").textContent = S.period;
    $("horizon").textContent = S.periods;
    document.body.dataset.period = S.period;
    document.body.dataset.busy = S.busy ? "1" : "0";
    $("play").textContent = S.playing ? "Pause" : "Play";
    $("play").classList.toggle("playing", S.playing);
    $("step").disabled = S.busy || S.playing;
    $("setup").disabled = S.busy || S.playing;
    $("reset").disabled = S.playing;
  }

  function renderLegend() {
    const legend = $("legend");
    const items = S.sectors.map((name) => {
      const span = document.createElement("span");
      span.append(swatchSvg(entry(name, S.sectors), false), name);
      return span;
    });
    if (S.kept) {
      const span = document.createElement("span");
      span.className = "kept";
      const line = document.createElement("i");
      const diff = differences(S.kept);
      span.append(line, `${S.kept.label} — ${diff.length ? `differs: ${diff.join(", ")}` : "same settings"}`);
      items.push(span);
    }
    legend.replaceChildren(...items);
  }

  // Chart geometry, in viewBox units.
  // The left and bottom margins leave room for the axis titles.
  const W = 420, H = 200, M = { l: 58, r: 10, t: 10, b: 34 };

  function buildCharts() {
    const box = $("charts");
    box.replaceChildren(...S.charts.map((column, i) => {
      const panel = document.createElement("figure");
      panel.className = "chart";
      const title = document.createElement("select");
      title.className = "chart-title";
      title.setAttribute("aria-label", "Column shown in this chart");
      for (const c of S.meta.columns.filter((c) => c.name !== "period")) {
        title.add(new Option(c.label, c.name));
      }
      title.value = column;
      title.addEventListener("change", () => {
        S.charts[i] = title.value;
        panel.querySelector("svg").dataset.column = title.value;
        renderCharts();
      });
      const svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
      svg.dataset.column = column;
      svg.dataset.index = i;
      const tip = document.createElement("div");
      tip.className = "tip";
      tip.hidden = true;
      panel.append(title, exportButtons(), svg, tip);
      svg.addEventListener("mousemove", (ev) => { panel.__mouse = ev.clientX; hover(panel, ev); });
      svg.addEventListener("mouseleave", () => { panel.__mouse = null; tip.hidden = true; drawCursor(svg, null); });
      return panel;
    }));
  }

  // [sector, period] of each paradigm shift in the rows: where `paradigm` goes up.
  function paradigmShifts(rows) {
    const last = new Map();
    const out = [];
    for (const r of rows) {
      if (r.sector === "all" || r.paradigm === null || r.paradigm === undefined) continue;
      if (last.has(r.sector) && r.paradigm > last.get(r.sector)) out.push([r.sector, r.period]);
      last.set(r.sector, r.paradigm);
    }
    return out;
  }

  function seriesOf(rows, column, sectors) {
    const out = new Map(sectors.map((s) => [s, []]));
    for (const r of rows) {
      if (r.sector === "all" || !out.has(r.sector)) continue;
      const v = r[column];
      out.get(r.sector).push([r.period, v === null || v === undefined ? null : Number(v)]);
    }
    return out;
  }

  // Running totals of each series, when `on` (an undefined value adds nothing).
  function accumulate(series, on) {
    if (!on) return series;
    const out = new Map();
    for (const [name, points] of series) {
      let sum = 0;
      out.set(name, points.map(([p, v]) => {
        if (v !== null && Number.isFinite(v)) sum += v;
        return [p, sum];
      }));
    }
    return out;
  }

  function niceStep(span, count) {
    const raw = span / Math.max(1, count);
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const norm = raw / mag;
    return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
  }

  function fmtTick(v, step) {
    const a = Math.abs(v);
    if (a >= 1e6) return `${+(v / 1e6).toFixed(step >= 1e6 ? 0 : 1)}M`;
    if (a >= 1e4) return `${+(v / 1e3).toFixed(step >= 1e3 ? 0 : 1)}k`;
    // As many decimals as the step needs: 0.25 shows as 0.25, not 0.3.
    let decimals = 0;
    while (decimals < 6 && Math.abs(step * 10 ** decimals - Math.round(step * 10 ** decimals)) > 1e-6) decimals += 1;
    return v.toFixed(decimals);
  }

  function fmtNumber(v) {
    if (v === null || v === undefined) return "–";
    const a = Math.abs(v);
    if (a >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
    if (a >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
    if (a >= 100) return v.toFixed(0);
    if (a >= 1) return v.toFixed(2);
    return v.toFixed(3);
  }

  function el(name, attrs, text) {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // The sum of a column over the whole economy's rows.
  function total(rows, column) {
    let sum = 0;
    for (const r of rows) if (r.sector === "all" && Number.isFinite(r[column])) sum += r[column];
    return sum;
  }

  function renderMonitors() {
    $("monitors").replaceChildren(...MONITORS.map((column) => {
      const box = document.createElement("div");
      box.className = "monitor";
      box.dataset.column = column;
      const label = document.createElement("span");
      label.textContent = `${columnInfo(column).label}, periods 1–${S.period}`;
      const value = document.createElement("b");
      // Counts as whole numbers with separators, money as the charts' numbers.
      const show = (v) => (columnInfo(column).kind === "integer" ? Math.round(v).toLocaleString("en") : fmtNumber(v));
      value.textContent = show(total(S.rows, column));
      box.append(label, value);
      if (S.kept) {
        const kept = document.createElement("small");
        kept.textContent = `kept run: ${show(total(S.kept.rows, column))}`;
        box.append(kept);
      }
      return box;
    }));
  }

  function renderCharts() {
    renderMonitors();
    for (const panel of $("charts").children) drawChart(panel);
    drawFirms();
  }

  function drawChart(panel) {
    const svg = panel.querySelector("svg");
    const column = svg.dataset.column;
    const cumulative = S.cumulative && isFlow(column);
    const current = accumulate(seriesOf(S.rows, column, S.sectors), cumulative);
    const kept = accumulate(S.kept ? seriesOf(S.kept.rows, column, S.kept.sectors) : new Map(), cumulative);
    let lo = Infinity, hi = -Infinity, last = S.periods;
    for (const series of [current, kept]) {
      for (const points of series.values()) {
        for (const [p, v] of points) {
          if (v === null || !Number.isFinite(v)) continue;
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
          last = Math.max(last, p);
        }
      }
    }
    if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
    lo = Math.min(0, lo);
    if (columnInfo(column)?.share) hi = Math.max(1, hi);
    if (hi <= lo) hi = lo + 1;
    const yStep = niceStep(hi - lo, 4);
    lo = Math.floor(lo / yStep + 1e-9) * yStep;
    hi = Math.ceil(hi / yStep - 1e-9) * yStep;
    const first = 1;
    last = Math.max(last, 2);
    const x = (p) => M.l + ((p - first) / (last - first)) * (W - M.l - M.r);
    const y = (v) => H - M.b - ((v - lo) / (hi - lo)) * (H - M.t - M.b);
    svg.__scale = { x, y, first, last, column };

    const parts = [];
    // Grid and axes.
    for (let v = lo; v <= hi + yStep / 2; v += yStep) {
      parts.push(el("line", { class: "grid", x1: M.l, x2: W - M.r, y1: y(v), y2: y(v) }));
      parts.push(el("text", { class: "tick", x: M.l - 5, y: y(v) + 3.5, "text-anchor": "end" }, fmtTick(v, yStep)));
    }
    // Period 1, then round periods not too close to it.
    const xStep = Math.max(1, niceStep(last - first, 5));
    const xTicks = [first];
    for (let p = xStep; p <= last; p += xStep) if (p - first >= xStep * 0.5) xTicks.push(p);
    for (const at of xTicks) {
      parts.push(el("line", { class: "axis", x1: x(at), x2: x(at), y1: H - M.b, y2: H - M.b + 4 }));
      parts.push(el("text", { class: "tick", x: x(at), y: H - M.b + 15, "text-anchor": "middle" }, String(at)));
    }
    parts.push(el("line", { class: "axis", x1: M.l, x2: W - M.r, y1: H - M.b, y2: H - M.b }));
    // Axis titles, with units, from the column catalogue (src/observe/columns.rs).
    const mid = (M.t + H - M.b) / 2;
    parts.push(el("text", { class: "axis-title", x: (M.l + W - M.r) / 2, y: H - 3, "text-anchor": "middle" }, columnInfo("period").unit + " (years)"));
    const unit = cumulative
      ? (columnInfo(column).unit.replace("per year", "so far"))
      : columnInfo(column)?.unit || column;
    const room = H - M.t - M.b;
    // A long unit is squeezed to the height of the chart rather than cut off.
    const squeeze = unit.length * 5.4 > room ? { textLength: room, lengthAdjust: "spacingAndGlyphs" } : {};
    parts.push(el("text", { class: "axis-title y", x: 11, y: mid, "text-anchor": "middle", transform: `rotate(-90 11 ${mid})`, ...squeeze }, unit));
    // Scheduled lever changes, the scenario's own and those made during this run: a
    // marker at the first period each holds, labelled with what changed.
    for (const e of leverChanges()) {
      if (e.period < first || e.period > last) continue;
      const cls = e.own ? "change scheduled" : "change";
      parts.push(el("line", { class: cls, x1: x(e.period), x2: x(e.period), y1: M.t, y2: H - M.b, "data-period": e.period }));
      // Left of the line in the right part of the chart, so the label is not cut off.
      const right = x(e.period) > (M.l + W - M.r) / 2;
      parts.push(el("text", { class: "change-label", x: x(e.period) + (right ? -2 : 2), y: M.t + 8, "text-anchor": right ? "end" : "start" }, `${e.own ? "scheduled " : ""}${e.sector ? e.sector + ": " : ""}${e.keys.join(", ")}`));
    }
    // Paradigm shifts of this run: a line in the sector's colour at the first period
    // of the new paradigm.
    for (const [name, p] of paradigmShifts(S.rows)) {
      if (p < first || p > last) continue;
      parts.push(el("line", { class: "shift", x1: x(p), x2: x(p), y1: M.t, y2: H - M.b, stroke: color(name, S.sectors), "data-sector": name, "data-period": p }));
      parts.push(el("text", { class: "shift-label", x: x(p) - 2, y: H - M.b - 4, "text-anchor": "end" }, `paradigm shift (${name})`));
    }
    const path = (points) => {
      let d = "", pen = false, count = 0;
      for (const [p, v] of points) {
        if (v === null || !Number.isFinite(v)) { pen = false; continue; }
        d += `${pen ? "L" : "M"}${x(p).toFixed(2)} ${y(v).toFixed(2)}`;
        pen = true;
        count += 1;
      }
      return { d, count };
    };
    // Markers at the periods the palette's rule gives, over the whole run's length,
    // so they stay put as the run grows.
    const marks = (name, sectors, points, n, kept) => {
      const e = entry(name, sectors);
      const i = S.meta.palette.entries.indexOf(e);
      const out = [];
      for (const [p, v] of points) {
        if (v === null || !Number.isFinite(v) || !hasMark(i, p - 1, n)) continue;
        out.push(markEl(e, x(p), y(v), 3.5, kept ? { opacity: 0.55 } : {}));
      }
      return out;
    };
    const markers = [];
    for (const [name, points] of kept) {
      const { d } = path(points);
      if (d) parts.push(el("path", { class: "line kept", d, stroke: color(name, S.kept.sectors), "data-sector": name }));
      markers.push(...marks(name, S.kept.sectors, points, S.kept.periods || S.periods, true));
    }
    let total = 0;
    for (const [name, points] of current) {
      const { d, count } = path(points);
      total += count;
      if (d) parts.push(el("path", { class: "line", d, stroke: color(name, S.sectors), "data-sector": name }));
      markers.push(...marks(name, S.sectors, points, S.periods, false));
    }
    parts.push(...markers);
    if (!S.rows.length && !S.kept) {
      parts.push(el("text", { class: "empty", x: W / 2, y: H / 2, "text-anchor": "middle" }, "Setup, then Step or Play"));
    }
    parts.push(el("line", { class: "cursor", x1: 0, x2: 0, y1: M.t, y2: H - M.b, visibility: "hidden" }));
    svg.replaceChildren(...parts);
    svg.dataset.points = total;
    svg.dataset.lastPeriod = S.period;
    // The tooltip shows the numbers of the run now drawn: read again under a mouse
    // that stays put, hidden when nothing is there (after Setup, say).
    const tip = panel.querySelector(".tip");
    if (panel.__mouse == null) tip.hidden = true;
    else hover(panel, { clientX: panel.__mouse });
  }

  // Every lever change of the run: the scenario's own schedule (`own`) and the
  // changes made on the page, each with the levers it sets.
  function leverChanges() {
    const keys = (levers) => Object.entries(levers || {})
      .filter(([, v]) => v !== null && v !== undefined && !(typeof v === "object" && !Object.values(v).some((w) => w !== null)))
      .map(([k]) => k);
    return [
      ...(S.sc.schedule || []).map((e) => ({ period: e.period, sector: e.sector, keys: keys(e.levers), own: true })),
      ...S.schedule.map((e) => ({ period: e.period, sector: e.sector, keys: keys(e.levers), own: false })),
    ];
  }

  // ---- the firm view --------------------------------------------------------------

  // Firm view geometry, in viewBox units (wider than a chart: it spans the board).
  const FW = 640, FH = 250, FM = { l: 58, r: 12, t: 10, b: 34 };
  // Ownership takes the colours of the PNG chart of productivity by ownership
  // (src/plot/charts.rs: private firms palette entry 0, SOEs entry 3); the shape is
  // the second cue: a circle for a private firm, a square for an SOE.
  const OWNER_ENTRY = { private: 0, soe: 3 };

  function ownerColour(soe) {
    return S.meta.palette.entries[soe ? OWNER_ENTRY.soe : OWNER_ENTRY.private].colour;
  }

  // A firm's mark: filled in the current paradigm, open in an old one.
  function firmMark(cx, cy, soe, old) {
    const colour = ownerColour(soe);
    const style = { class: "firm", fill: old ? "#ffffff" : colour, stroke: colour, "stroke-width": old ? 1.3 : 0.6, "fill-opacity": old ? 1 : 0.75 };
    return soe
      ? el("rect", { x: cx - 3, y: cy - 3, width: 6, height: 6, ...style })
      : el("circle", { cx, cy, r: 3.2, ...style });
  }

  function renderFirmControls() {
    const select = $("fv-sector");
    const options = [["", "every sector"], ...S.sectors.map((n) => [n, n])];
    if (select.options.length !== options.length || [...select.options].some((o, i) => o.value !== options[i][0])) {
      select.replaceChildren(...options.map(([v, t]) => new Option(t, v)));
    }
    select.value = S.firmSector;
    const legend = $("fv-legend");
    const item = (svg, text) => {
      const span = document.createElement("span");
      span.append(svg, text);
      return span;
    };
    const key = (...marks) => {
      const svg = el("svg", { class: "key", viewBox: "0 0 14 14", width: 14, height: 14, "aria-hidden": "true" });
      svg.append(...marks);
      return svg;
    };
    legend.replaceChildren(
      item(key(firmMark(7, 7, false, false)), "private"),
      item(key(firmMark(7, 7, true, false)), "SOE"),
      item(key(firmMark(7, 7, false, true)), "old paradigm"),
      item(key(el("circle", { class: "rescued", cx: 7, cy: 7, r: 5.5 })), "bailed out"),
      item(key(el("path", { class: "exiting", d: "M3 3L11 11M11 3L3 11" })), "exits"),
    );
  }

  // The firms of the last period drawn: productivity relative to the sector's
  // frontier against capacity (log scale), one mark per firm.
  function drawFirms() {
    const box = $("firm-view");
    box.hidden = !S.firmsOn;
    if (!S.firmsOn) return;
    renderFirmControls();
    const svg = $("fv-svg");
    const view = S.firmView;
    $("fv-period").textContent = view ? view.period : S.period;
    const sectors = view ? view.sectors.filter((s) => !S.firmSector || s.name === S.firmSector) : [];
    const points = [];
    let counts = { firms: 0, rescued: 0, exiting: 0 };
    for (const s of sectors) {
      const f = s.firms;
      for (let i = 0; i < f.id.length; i++) {
        points.push({ k: f.capacity[i], a: f.productivity[i] / s.frontier, soe: f.soe[i], old: f.old_paradigm[i], rescued: f.rescued[i], exiting: f.exiting[i], sector: s.name });
        counts.firms += 1;
        counts.rescued += f.rescued[i] ? 1 : 0;
        counts.exiting += f.exiting[i] ? 1 : 0;
      }
    }
    const sized = points.filter((p) => p.k > 0 && Number.isFinite(p.a));
    let kLo = Infinity, kHi = -Infinity, aLo = 1, aHi = 1;
    for (const p of sized) {
      kLo = Math.min(kLo, p.k); kHi = Math.max(kHi, p.k);
      aLo = Math.min(aLo, p.a); aHi = Math.max(aHi, p.a);
    }
    if (!sized.length) { kLo = 1; kHi = 100; aLo = 0; }
    // Whole decades on the size axis, so that it moves only when firms cross one.
    const dLo = Math.floor(Math.log10(kLo)), dHi = Math.max(dLo + 1, Math.ceil(Math.log10(kHi)));
    // The productivity axis spans the firms and the frontier, in round steps: the
    // cloud fills the chart instead of its top third.
    const yStep = niceStep(Math.max(aHi - Math.max(0, aLo), 0.2), 4);
    const yLo = Math.max(0, Math.floor(aLo / yStep + 1e-9) * yStep);
    const yHi = Math.max(yLo + yStep, Math.ceil(aHi / yStep - 1e-9) * yStep);
    const x = (k) => FM.l + ((Math.log10(k) - dLo) / (dHi - dLo)) * (FW - FM.l - FM.r);
    const y = (a) => FH - FM.b - ((Math.max(yLo, a) - yLo) / (yHi - yLo)) * (FH - FM.t - FM.b);
    const parts = [];
    for (let v = yLo; v <= yHi + yStep / 2; v += yStep) {
      parts.push(el("line", { class: "grid", x1: FM.l, x2: FW - FM.r, y1: y(v), y2: y(v) }));
      parts.push(el("text", { class: "tick", x: FM.l - 5, y: y(v) + 3.5, "text-anchor": "end" }, fmtTick(v, yStep)));
    }
    for (let d = dLo; d <= dHi; d++) {
      const k = 10 ** d;
      parts.push(el("line", { class: "axis", x1: x(k), x2: x(k), y1: FH - FM.b, y2: FH - FM.b + 4 }));
      parts.push(el("text", { class: "tick", x: x(k), y: FH - FM.b + 15, "text-anchor": "middle" }, fmtTick(k, k)));
    }
    parts.push(el("line", { class: "axis", x1: FM.l, x2: FW - FM.r, y1: FH - FM.b, y2: FH - FM.b }));
    parts.push(el("line", { class: "frontier", x1: FM.l, x2: FW - FM.r, y1: y(1), y2: y(1) }));
    parts.push(el("text", { class: "change-label", x: FW - FM.r - 2, y: y(1) - 3, "text-anchor": "end" }, "frontier"));
    const mid = (FM.t + FH - FM.b) / 2;
    parts.push(el("text", { class: "axis-title", x: (FM.l + FW - FM.r) / 2, y: FH - 3, "text-anchor": "middle" }, `${columnInfo("capacity").unit}, log scale`));
    parts.push(el("text", { class: "axis-title y", x: 11, y: mid, "text-anchor": "middle", transform: `rotate(-90 11 ${mid})` }, "productivity / frontier"));
    // Private firms first, so that the fewer SOEs are drawn over them.
    sized.sort((p, q) => Number(p.soe) - Number(q.soe));
    for (const p of sized) {
      const cx = x(p.k), cy = y(p.a);
      parts.push(firmMark(cx, cy, p.soe, p.old));
      if (p.rescued) parts.push(el("circle", { class: "rescued", cx, cy, r: 6 }));
      if (p.exiting) parts.push(el("path", { class: "exiting", d: `M${cx - 4} ${cy - 4}L${cx + 4} ${cy + 4}M${cx + 4} ${cy - 4}L${cx - 4} ${cy + 4}` }));
    }
    if (!view) {
      parts.push(el("text", { class: "empty", x: FW / 2, y: FH / 2, "text-anchor": "middle" }, "Step or Play to see the firms"));
    }
    svg.replaceChildren(...parts);
    svg.dataset.firms = counts.firms;
    svg.dataset.rescued = counts.rescued;
    svg.dataset.exiting = counts.exiting;
    const shown = view && view.stride > 1 ? ` (every ${view.stride}th firm of ${view.living})` : "";
    $("fv-note").textContent = view
      ? `${counts.firms} firms${shown}; ${counts.rescued} bailed out and ${counts.exiting} exiting in period ${view.period}. Size is capacity; height is productivity relative to the sector's frontier (1 = at the frontier).`
      : "";
  }

  // The firm view of the period drawn, asked for when the view is switched on.
  async function fetchFirms() {
    if (!S.firmsOn || !S.started || S.period === 0 || S.busy) { drawFirms(); return; }
    try {
      S.busy = true;
      const reply = await api("/api/run", runRequest(S.period, S.period + 1));
      S.firmView = reply.firm_view || null;
    } catch (e) {
      showMessage(e.message, "error");
    } finally {
      S.busy = false;
      renderClock();
      drawFirms();
    }
  }

  // ---- export ---------------------------------------------------------------------

  function exportButtons() {
    const span = document.createElement("span");
    span.className = "export";
    for (const [kind, title] of [["svg", "This chart as an SVG file"], ["png", "This chart as a PNG image"]]) {
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.export = kind;
      b.title = title;
      b.textContent = kind.toUpperCase();
      span.append(b);
    }
    return span;
  }

  // The style rules of the charts (style.css's `.chart` and `.firm-view` rules), for
  // a standalone SVG file: the file carries its own style, with the page's colour
  // variables written out.
  function chartStyle() {
    const root = getComputedStyle(document.documentElement);
    const rules = [`text { font-family: ${root.fontFamily}; }`];
    for (const sheet of document.styleSheets) {
      for (const rule of sheet.cssRules) {
        const sel = rule.selectorText || "";
        if (!/^\.(chart|firm-view) \./.test(sel) || sel.includes("present")) continue;
        rules.push(rule.cssText
          .replace(/\.(chart|firm-view) /g, "")
          .replace(/var\((--[a-z-]+)\)/g, (_, name) => root.getPropertyValue(name).trim()));
      }
    }
    return rules.join("\n");
  }

  // The figure of chart `which` (its index, or "firms"): its title, and a legend.
  function figureOf(which) {
    if (which === "firms") {
      const sector = S.firmSector ? `, ${S.firmSector}` : "";
      return { svg: $("fv-svg"), title: `Firms at period ${$("fv-period").textContent}${sector}: productivity against capacity`, name: "firms" };
    }
    const panel = $("charts").children[which];
    const svg = panel.querySelector("svg");
    const column = svg.dataset.column;
    const cumulative = S.cumulative && isFlow(column) ? " (cumulative)" : "";
    return { svg, title: `${columnInfo(column).label}${cumulative}`, name: column };
  }

  // Chart `which` as the text of a standalone SVG file: what is shown, with its
  // title, the legend (sectors, or the firms' marks) and the scenario named.
  function chartSvg(which) {
    const fig = figureOf(which);
    const vb = fig.svg.viewBox.baseVal;
    const top = 36;
    const clone = fig.svg.cloneNode(true);
    for (const n of clone.querySelectorAll(".cursor")) n.remove();
    clone.setAttribute("xmlns", SVG);
    clone.setAttribute("viewBox", `0 ${-top} ${vb.width} ${vb.height + top}`);
    clone.setAttribute("width", vb.width);
    clone.setAttribute("height", vb.height + top);
    const head = [el("rect", { x: 0, y: -top, width: vb.width, height: vb.height + top, fill: "#ffffff" })];
    head.push(el("text", { class: "export-title", x: 8, y: -top + 14 }, `${fig.title} — ${S.sc.name}, seed ${S.seed}`));
    let at = 8;
    const legend = (mark, text) => {
      const g = el("g", { transform: `translate(${at} ${-top + 22})` });
      g.append(...mark);
      g.append(el("text", { class: "export-legend", x: 26, y: 9 }, text));
      head.push(g);
      // The mark, then the text at about 6 units a character (10-unit type).
      at += 40 + text.length * 6.2;
    };
    if (which === "firms") {
      legend([firmMark(12, 6, false, false)], "private");
      legend([firmMark(12, 6, true, false)], "SOE");
      legend([firmMark(12, 6, false, true)], "old paradigm");
      legend([el("circle", { class: "rescued", cx: 12, cy: 6, r: 5 })], "bailed out");
      legend([el("path", { class: "exiting", d: "M8 2L16 10M16 2L8 10" })], "exits");
    } else {
      for (const name of S.sectors) {
        const e = entry(name, S.sectors);
        legend([el("line", { x1: 0, x2: 24, y1: 6, y2: 6, stroke: e.colour, "stroke-width": 2 }), markEl(e, 12, 6, 3.5)], name);
      }
      if (S.kept) legend([el("line", { x1: 0, x2: 24, y1: 6, y2: 6, stroke: "#6b7280", "stroke-width": 1.5, "stroke-dasharray": "4 3" })], "kept run (dashed)");
    }
    const style = el("style", {}, chartStyle());
    clone.prepend(style, ...head);
    return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}\n`;
  }

  // Chart `which` as a PNG image, drawn from its SVG at `scale` times its size.
  async function chartPng(which, scale = 3) {
    const text = chartSvg(which);
    const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
    try {
      const img = new Image();
      await new Promise((done, fail) => {
        img.onload = done;
        img.onerror = () => fail(new Error("The browser could not draw the chart as an image."));
        img.src = url;
      });
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(img.width * scale);
      canvas.height = Math.round(img.height * scale);
      canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
      return await new Promise((done) => canvas.toBlob(done, "image/png"));
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  async function exportChart(which, kind) {
    const name = `${S.sc.name}-${figureOf(which).name}`;
    try {
      if (kind === "svg") save(chartSvg(which), "image/svg+xml", `${name}.svg`);
      else saveBlob(await chartPng(which), `${name}.png`);
    } catch (e) {
      showMessage(e.message, "error");
    }
  }

  function drawCursor(svg, px) {
    const cursor = svg.querySelector(".cursor");
    if (!cursor) return;
    if (px === null) { cursor.setAttribute("visibility", "hidden"); return; }
    cursor.setAttribute("x1", px);
    cursor.setAttribute("x2", px);
    cursor.setAttribute("visibility", "visible");
  }

  // The values at the period under the mouse.
  function hover(panel, ev) {
    const svg = panel.querySelector("svg");
    const tip = panel.querySelector(".tip");
    const scale = svg.__scale;
    if (!scale || !S.rows.length) { tip.hidden = true; drawCursor(svg, null); return; }
    const box = svg.getBoundingClientRect();
    const vx = ((ev.clientX - box.left) / box.width) * W;
    const period = Math.round(scale.first + ((vx - M.l) / (W - M.l - M.r)) * (scale.last - scale.first));
    if (period < 1 || period > S.period) { tip.hidden = true; drawCursor(svg, null); return; }
    drawCursor(svg, scale.x(period));
    const lines = [`period ${period}`];
    for (const r of S.rows) {
      if (r.period !== period || r.sector === "all") continue;
      lines.push(`${r.sector}: ${fmtNumber(r[scale.column])}`);
    }
    if (S.kept) {
      for (const r of S.kept.rows) {
        if (r.period !== period || r.sector === "all") continue;
        lines.push(`kept ${r.sector}: ${fmtNumber(r[scale.column])}`);
      }
    }
    tip.textContent = lines.join("\n");
    tip.hidden = false;
    const left = ev.clientX - panel.getBoundingClientRect().left;
    tip.style.left = `${Math.min(left + 12, panel.clientWidth - tip.offsetWidth - 4)}px`;
  }

  function showMessage(text, kind) {
    $("message-text").textContent = text;
    $("message").className = `message ${kind}`;
    $("message").hidden = false;
  }

  function hideMessage() {
    $("message").hidden = true;
  }

  // ---- wiring -------------------------------------------------------------------------

  async function start() {
    try {
      S.meta = await api("/api/scenarios");
    } catch (e) {
      showMessage(`Cannot load the scenarios: ${e.message}`, "error");
      return;
    }
    const select = $("scenario");
    for (const sc of S.meta.scenarios) select.add(new Option(`${sc.name} (${sc.firms} firms)`, sc.name));
    select.addEventListener("change", () => choose(select.value));
    $("setup").addEventListener("click", () => setup());
    $("step").addEventListener("click", () => step(1));
    $("play").addEventListener("click", () => play());
    $("reset").addEventListener("click", () => choose(S.sc.name));
    $("keep").addEventListener("click", keep);
    $("clear-kept").addEventListener("click", () => { S.kept = null; renderLegend(); renderCharts(); });
    $("download").addEventListener("click", download);
    $("download-data").addEventListener("click", downloadData);
    $("cumulative").addEventListener("change", () => { S.cumulative = $("cumulative").checked; renderCharts(); });
    $("firms-on").addEventListener("change", () => { S.firmsOn = $("firms-on").checked; fetchFirms(); });
    $("fv-sector").addEventListener("change", () => { S.firmSector = $("fv-sector").value; drawFirms(); });
    // The export buttons of every chart, and of the firm view.
    document.querySelector(".board").addEventListener("click", (ev) => {
      const button = ev.target.closest("button[data-export]");
      if (!button) return;
      const panel = button.closest("figure");
      const which = panel.id === "firm-view" ? "firms" : [...$("charts").children].indexOf(panel);
      exportChart(which, button.dataset.export);
    });
    $("message-close").addEventListener("click", hideMessage);
    $("speed").addEventListener("input", () => { $("speed-out").textContent = `${$("speed").value}/s`; });
    $("target").addEventListener("change", () => { S.target = $("target").value; renderLevers(); });
    $("seed").addEventListener("change", () => { S.seed = $("seed").value; renderLegend(); });
    $("periods").addEventListener("change", () => {
      const v = Math.round(Number($("periods").value));
      S.periods = Math.max(1, Math.min(S.meta.limits.periods, Number.isFinite(v) ? v : S.periods));
      renderClock();
      renderCharts();
    });
    // Presentation mode: few, large charts for a lecture hall; `?present` in the
    // address starts in it, so a prepared link opens the page ready to project.
    const present = (on) => {
      document.body.classList.toggle("present", on);
      $("present").setAttribute("aria-pressed", String(on));
      $("present").textContent = on ? "Exit presentation" : "Presentation";
      const query = new URLSearchParams(location.search);
      if (on) query.set("present", "1");
      else query.delete("present");
      const search = query.toString();
      history.replaceState(null, "", location.pathname + (search ? `?${search}` : "") + location.hash);
    };
    $("present").addEventListener("click", () => present(!document.body.classList.contains("present")));
    present(new URLSearchParams(location.search).has("present"));
    const wanted = decodeURIComponent(location.hash.slice(1));
    choose(S.meta.scenarios.some((s) => s.name === wanted) ? wanted : "baseline");
    document.body.dataset.ready = "1";
  }

  // For scripts and tests: the state, the scenario file of the run so far, and any
  // error the page's code ran into.
  const errors = [];
  window.addEventListener("error", (e) => errors.push(String(e.message)));
  window.addEventListener("unhandledrejection", (e) => errors.push(String(e.reason)));
  window.catchup = { state: S, scenarioToml, rowsCsv, setup, step, choose, chartSvg, chartPng, errors };
  start();
})();
