// Charts of the sales statistics page, drawn with the vendored Chart.js from the page's JSON.
(function () {
  "use strict";
  const source = document.getElementById("stats-chart-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const text = data.text;
  const lang = document.documentElement.lang || undefined;
  const money = (value) => Number(value).toLocaleString(lang, { maximumFractionDigits: 0 });
  const common = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: {
      legend: { position: "bottom", labels: { boxWidth: 12 } },
      tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${money(ctx.parsed.y)}` } },
    },
    scales: { y: { beginAtZero: true, ticks: { callback: (value) => money(value) } } },
  };
  const draw = (id, config) => {
    const canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  };
  draw("chart-stages", {
    type: "bar",
    data: {
      labels: data.stages.labels,
      datasets: [
        { label: text.amount, data: data.stages.amount, backgroundColor: "rgba(13,110,253,.35)" },
        { label: text.weighted, data: data.stages.weighted, backgroundColor: "rgba(13,110,253,.9)" },
      ],
    },
    options: common,
  });
  draw("chart-months", {
    type: "bar",
    data: {
      labels: data.months.labels,
      datasets: [{ label: text.won, data: data.months.won, backgroundColor: "rgba(25,135,84,.8)" }],
    },
    options: common,
  });
  draw("chart-reps", {
    type: "bar",
    data: {
      labels: data.reps.labels,
      datasets: [
        { label: text.won, data: data.reps.won, backgroundColor: "rgba(25,135,84,.8)" },
        { label: text.target, data: data.reps.target, backgroundColor: "rgba(108,117,125,.35)" },
      ],
    },
    options: common,
  });
})();
