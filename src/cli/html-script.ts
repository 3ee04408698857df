/**
 * The page's drawing code, as text: it runs in the browser, reads the embedded report and
 * draws two SVG charts (tree RSS over time with file boundaries; heap after each test per
 * test process, with the fitted trend). When done it sets `data-chart-ready` on <body> and
 * `data-points` on each chart, which the tests (headless Chromium) look for.
 * Plain ES2017 without dependencies: the page must work offline, from a file:// URL.
 */
export const PAGE_SCRIPT = String.raw`
(function () {
  var report = JSON.parse(document.getElementById('custodian-data').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  var COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f'];
  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    for (var key in attrs) node.setAttribute(key, String(attrs[key]));
    if (parent) parent.appendChild(node);
    return node;
  }
  function mib(bytes) { return (bytes / 1048576).toFixed(bytes >= 1048576 * 100 ? 0 : 1) + ' MiB'; }
  // A round top for the axis, in MiB (so the four gridlines land on round MiB values).
  function niceMax(value) {
    var inMiB = value / 1048576;
    if (!(inMiB > 0)) return 1048576;
    var power = Math.pow(10, Math.floor(Math.log10(inMiB)));
    var steps = [1, 2, 4, 5, 8, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * power >= inMiB) return steps[i] * power * 1048576;
    return 10 * power * 1048576;
  }
  function frame(svg, width, height, pad, xMax, yMin, yMax, xLabel, xFormat) {
    el('rect', { x: pad.l, y: pad.t, width: width - pad.l - pad.r, height: height - pad.t - pad.b, fill: '#fff', stroke: '#d4d4d8' }, svg);
    for (var i = 0; i <= 4; i++) {
      var value = yMin + ((yMax - yMin) * i) / 4;
      var y = height - pad.b - ((height - pad.t - pad.b) * i) / 4;
      el('line', { x1: pad.l, x2: width - pad.r, y1: y, y2: y, stroke: '#f1f5f9' }, svg);
      el('text', { x: pad.l - 6, y: y + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#52525b' }, svg).textContent = mib(value);
      var xv = (xMax * i) / 4;
      var x = pad.l + ((width - pad.l - pad.r) * i) / 4;
      el('text', { x: x, y: height - pad.b + 16, 'text-anchor': 'middle', 'font-size': 11, fill: '#52525b' }, svg).textContent = xFormat(xv);
    }
    el('text', { x: (width + pad.l) / 2, y: height - 4, 'text-anchor': 'middle', 'font-size': 12, fill: '#27272a' }, svg).textContent = xLabel;
  }
  function scaleFns(width, height, pad, xMax, yMin, yMax) {
    return {
      x: function (v) { return pad.l + ((width - pad.l - pad.r) * v) / (xMax || 1); },
      y: function (v) { return height - pad.b - ((height - pad.t - pad.b) * (v - yMin)) / ((yMax - yMin) || 1); },
    };
  }
  function pathOf(points, sx, sy) {
    var d = '';
    for (var i = 0; i < points.length; i++) d += (i ? 'L' : 'M') + sx(points[i][0]).toFixed(1) + ',' + sy(points[i][1]).toFixed(1);
    return d;
  }
  function drawRss() {
    var svg = document.getElementById('rss-chart');
    var width = 960, height = 320, pad = { l: 72, r: 16, t: 12, b: 40 };
    var samples = report.samples;
    var xMax = Math.max(1, report.run.durationMs, samples.length ? samples[samples.length - 1].t : 0) / 1000;
    var yMax = niceMax(Math.max.apply(null, [1].concat(samples.map(function (s) { return s.rss; }))));
    frame(svg, width, height, pad, xMax, 0, yMax, 'seconds since start (bands: test files)', function (v) { return v.toFixed(v < 10 ? 1 : 0) + ' s'; });
    var s = scaleFns(width, height, pad, xMax, 0, yMax);
    report.files.forEach(function (file, i) {
      var x1 = s.x(file.firstT / 1000), x2 = Math.max(x1 + 2, s.x(file.lastT / 1000));
      var band = el('rect', { x: x1, y: pad.t, width: x2 - x1, height: height - pad.t - pad.b, fill: i % 2 ? '#e0e7ff' : '#fef3c7', opacity: 0.6, class: 'file-band' }, svg);
      el('title', {}, band).textContent = file.file + ' (' + file.tests + ' tests)';
    });
    var points = samples.map(function (sample) { return [sample.t / 1000, sample.rss]; });
    el('path', { d: pathOf(points, s.x, s.y), fill: 'none', stroke: '#2563eb', 'stroke-width': 2, class: 'rss-line' }, svg);
    var peak = samples.reduce(function (best, sample) { return !best || sample.rss > best.rss ? sample : best; }, null);
    if (peak) {
      el('circle', { cx: s.x(peak.t / 1000), cy: s.y(peak.rss), r: 4, fill: '#dc2626' }, svg);
      el('text', { x: s.x(peak.t / 1000) + 6, y: s.y(peak.rss) - 6, 'font-size': 11, fill: '#dc2626' }, svg).textContent = 'peak ' + mib(peak.rss);
    }
    svg.setAttribute('data-points', String(points.length));
    return points.length;
  }
  function drawHeap() {
    var svg = document.getElementById('heap-chart');
    var width = 960, height = 320, pad = { l: 72, r: 16, t: 12, b: 40 };
    var groups = {};
    report.tests.forEach(function (test) { (groups[test.series] = groups[test.series] || []).push(test); });
    var keys = Object.keys(groups);
    var xMax = Math.max.apply(null, [1].concat(report.tests.map(function (t) { return t.index; })));
    var values = report.tests.map(function (t) { return t.heapUsedAfter; });
    var yMin = values.length ? Math.max(0, Math.min.apply(null, values) * 0.9) : 0;
    var yMax = niceMax(Math.max.apply(null, [1].concat(values)));
    frame(svg, width, height, pad, xMax, yMin, yMax, 'test index within its process (dots: after a full GC)', function (v) { return String(Math.round(v)); });
    var s = scaleFns(width, height, pad, xMax, yMin, yMax);
    var drawn = 0;
    keys.forEach(function (key, i) {
      var color = COLORS[i % COLORS.length];
      var group = groups[key];
      var path = el('path', { d: pathOf(group.map(function (t) { return [t.index, t.heapUsedAfter]; }), s.x, s.y), fill: 'none', stroke: color, 'stroke-width': 1.5, class: 'heap-line' }, svg);
      el('title', {}, path).textContent = key + ' (' + group.length + ' tests)';
      group.forEach(function (t) {
        if (t.gc) el('circle', { cx: s.x(t.index), cy: s.y(t.heapUsedAfter), r: 2.5, fill: color }, svg);
      });
      drawn += group.length;
    });
    var worst = report.summary.heap.worst;
    if (worst && groups[worst.series] && worst.trend.points >= 2) {
      var g = groups[worst.series];
      var trend = worst.trend;
      var first = g[0].index, last = g[g.length - 1].index;
      var mid = trend.lastHeap - trend.slopeBytesPerTest * (last - first);
      el('path', { d: pathOf([[first, mid], [last, trend.lastHeap]], s.x, s.y), stroke: '#dc2626', 'stroke-dasharray': '6 4', 'stroke-width': 1.5, fill: 'none', class: 'trend-line' }, svg);
    }
    svg.setAttribute('data-points', String(drawn));
    return drawn;
  }
  var rss = drawRss();
  var heap = drawHeap();
  document.body.setAttribute('data-chart-ready', 'rss:' + rss + ',heap:' + heap);
})();
`;
