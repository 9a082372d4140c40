// Charts of the customer analysis page, drawn with the vendored Chart.js from the page's JSON.
(function () {
  "use strict";
  const source = document.getElementById("analysis-chart-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const lang = document.documentElement.lang || undefined;
  const number = (value) => Number(value).toLocaleString(lang, { maximumFractionDigits: 1 });
  const palette = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#dc3545", "#6c757d", "#ffc107", "#0dcaf0", "#d63384"];
  const common = (stacked) => ({
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: {
      legend: { position: "bottom", labels: { boxWidth: 12 } },
      tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${number(ctx.parsed.y)}` } },
    },
    scales: {
      x: { stacked: stacked },
      y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0, callback: (value) => number(value) } },
    },
  });
  const draw = (id, config) => {
    const canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  };
  draw("chart-matrix", {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.datasets.map((set, i) => ({
        label: set.label,
        data: set.data,
        backgroundColor: palette[i % palette.length],
      })),
    },
    options: common(data.stacked),
  });
  draw("chart-new", {
    type: "bar",
    data: {
      labels: data.months.labels,
      datasets: [{ label: data.text.new, data: data.months.new, backgroundColor: "rgba(13,110,253,.8)" }],
    },
    options: common(false),
  });
})();
