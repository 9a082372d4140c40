/* Agora live notifications: one socket per tab to /ws/notifications/, reconnecting with
 * backoff and resuming from the last id this tab saw, so nothing is lost or shown twice.
 * Updates the shell's #unread-badge (from unread frames and the count a notification frame
 * carries) and shows a Bootstrap toast in #toasts. */
(function () {
  "use strict";
  if (window.agoraNotifications) { return; }
  var script = document.currentScript;
  var userId = script && script.dataset.userId;
  if (!userId || !("WebSocket" in window)) { return; }
  var centerUrl = (script.dataset.centerUrl || "/notifications/").replace(/\/?$/, "/");
  var storageKey = "agora.notifications.last." + userId;
  var socket = null;
  var attempt = 0;
  var timer = null;
  var lastSeen = readLast();
  var paused = false;
  // The cursor this socket resumed from, and the numbers it brought: a resume that reaches a
  // busy server late may be answered with older numbers after newer ones (never twice).
  var resumedAfter = null;
  var seenHere = {};

  function readLast() {
    // Per tab (sessionStorage) so that each tab replays what it missed; a page reload in the
    // same tab keeps its place.
    try {
      var value = parseInt(window.sessionStorage.getItem(storageKey), 10);
      return isNaN(value) ? null : value;
    } catch (e) { return null; }
  }

  function writeLast(id) {
    lastSeen = id;
    try { window.sessionStorage.setItem(storageKey, String(id)); } catch (e) { /* private mode */ }
  }

  function setBadge(count) {
    var badge = document.getElementById("unread-badge");
    if (!badge) { return; }
    badge.textContent = count > 99 ? "99+" : String(count);
    badge.classList.toggle("d-none", !count);
    badge.setAttribute("data-count", String(count));
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function showToast(frame) {
    var container = document.getElementById("toasts");
    if (!container) { return; }
    var toast = el("div", "toast agora-notification-toast");
    toast.setAttribute("role", "status");
    toast.setAttribute("aria-live", "polite");
    toast.setAttribute("aria-atomic", "true");
    toast.dataset.notificationId = String(frame.id);
    var header = el("div", "toast-header");
    header.appendChild(el("i", "bi bi-bell-fill text-primary me-2"));
    var title = el("strong", "me-auto text-truncate");
    var link = el("a", "text-reset text-decoration-none", frame.title);
    link.href = centerUrl + frame.id + "/open/";
    title.appendChild(link);
    header.appendChild(title);
    var close = el("button", "btn-close");
    close.type = "button";
    close.setAttribute("data-bs-dismiss", "toast");
    close.setAttribute("aria-label", "Close");
    header.appendChild(close);
    toast.appendChild(header);
    if (frame.body) { toast.appendChild(el("div", "toast-body small", frame.body)); }
    container.appendChild(toast);
    while (container.children.length > 5) { container.removeChild(container.firstChild); }
    if (window.bootstrap && window.bootstrap.Toast) {
      var instance = window.bootstrap.Toast.getOrCreateInstance(toast, { delay: 8000 });
      toast.addEventListener("hidden.bs.toast", function () { toast.remove(); });
      instance.show();
    } else {
      toast.classList.add("show");
    }
  }

  function onFrame(frame) {
    if (frame.type === "unread") {
      setBadge(frame.count);
    } else if (frame.type === "notification") {
      // The frame carries the unread count with it (ADR 0714): no unread frame follows it.
      // Before the duplicate check: a frame shown already still brings the current count.
      if (typeof frame.unread === "number") { setBadge(frame.unread); }
      if (lastSeen !== null && frame.id <= lastSeen &&
          (resumedAfter === null || frame.id <= resumedAfter || seenHere[frame.id])) { return; }
      seenHere[frame.id] = true;
      if (lastSeen === null || frame.id > lastSeen) { writeLast(frame.id); }
      showToast(frame);
      document.dispatchEvent(new CustomEvent("agora:notification", { detail: frame }));
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/ws/notifications/");
    socket.addEventListener("open", function () {
      attempt = 0;
      resumedAfter = lastSeen;
      seenHere = {};
      if (lastSeen !== null) {
        socket.send(JSON.stringify({ type: "resume", after: lastSeen }));
      }
    });
    socket.addEventListener("message", function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame && frame.type) { onFrame(frame); }
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      if (event.code === 4401 || paused) { return; }  // signed out: do not hammer the server
      // 1012: the server is restarting (a deploy); another process behind the proxy takes the
      // socket at once, so start the backoff from the beginning (it still spreads the tabs).
      if (event.code === 1012) { attempt = 0; }
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    if (timer) { return; }
    // Exponential backoff with jitter, capped at 30 s.
    var delay = Math.min(30000, 500 * Math.pow(2, attempt)) * (0.5 + Math.random() / 2);
    attempt += 1;
    timer = window.setTimeout(function () { timer = null; connect(); }, delay);
  }

  function reconnectNow() {
    if (paused) { return; }
    // A laptop waking up or the network coming back: do not wait for the backoff.
    if (socket && socket.readyState <= 1) { return; }
    if (timer) { window.clearTimeout(timer); timer = null; }
    attempt = 0;
    connect();
  }

  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { reconnectNow(); }
  });

  window.agoraNotifications = {
    lastSeen: function () { return lastSeen; },
    // For tests and diagnostics: drop the connection and stay away until reconnect().
    disconnect: function () { paused = true; if (socket) { socket.close(); } },
    reconnect: function () { paused = false; reconnectNow(); },
    connected: function () { return !!socket && socket.readyState === 1; },
  };
  connect();
})();
