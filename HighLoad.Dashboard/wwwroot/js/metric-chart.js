// Draws a metric chart with uPlot (wwwroot/lib/uplot, loaded by App.razor) and redraws it in place as points
// arrive. The page sends { unit, times: [unix seconds], lines: [{ label, values: [number|null] }] }.
const colours = ['#0969da', '#1a7f37', '#cf222e', '#8250df', '#bf8700', '#1b7c83', '#e16f24', '#6e7781', '#bc4c00'];

export function draw(element, chart) {
    const data = [chart.times, ...chart.lines.map(line => line.values)];
    const shape = chart.unit + '|' + chart.lines.map(line => line.label).join('|');
    if (element.plot && element.shape === shape) {
        element.plot.setData(data);
    } else {
        element.plot?.destroy();
        element.plot = new uPlot(options(element, chart), data, element);
        element.shape = shape;
        new ResizeObserver(() => element.plot?.setSize(size(element))).observe(element);
    }

    // What the chart holds, for a person hovering it and for the browser tests.
    element.dataset.points = chart.lines.reduce((sum, line) => sum + line.values.filter(v => v !== null).length, 0);
}

export function dispose(element) {
    element.plot?.destroy();
    element.plot = null;
}

function options(element, chart) {
    return {
        ...size(element),
        series: [
            {},
            ...chart.lines.map((line, i) => ({
                label: line.label,
                stroke: colours[i % colours.length],
                width: 1.5,
                spanGaps: false,
                value: (u, v) => v === null ? '–' : format(v) + ' ' + chart.unit,
            })),
        ],
        axes: [{}, { label: chart.unit, size: 70, values: (u, ticks) => ticks.map(format) }],
        scales: {
            // At least a minute wide, so one point is not spread over years.
            x: { time: true, range: (u, min, max) => min == null ? [Date.now() / 1000 - 60, Date.now() / 1000] : max - min < 60 ? [max - 60, max + 1] : [min, max] },
            y: { range: (u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
        },
    };
}

function size(element) {
    return { width: Math.max(element.clientWidth, 300), height: element.classList.contains('count') ? 180 : 320 };
}

function format(v) {
    if (v === null || v === undefined) return '';
    const abs = Math.abs(v);
    if (abs >= 1e9) return (v / 1e9).toFixed(1) + 'G';
    if (abs >= 1e6) return (v / 1e6).toFixed(1) + 'M';
    if (abs >= 1e4) return (v / 1e3).toFixed(1) + 'k';
    if (abs >= 100 || abs === 0) return v.toFixed(0);
    if (abs >= 1) return v.toFixed(2);
    return v.toPrecision(2);
}
