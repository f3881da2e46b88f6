package server

import (
	"encoding/json"
	"fmt"
	"strings"
)

// shim is the JavaScript that stands in for Wails' IPC in a browser: it defines
// window.go.<pkg>.<Struct>.<Method> as a fetch to /api/call, resolving with the
// result or rejecting with the error text, as Wails does, and the few
// window.runtime functions the frontend uses. It holds no secret: it takes the
// token from the link `tollgate serve` printed, keeps it in this tab's
// sessionStorage, and takes it out of the address bar.
func shim(names []string) string {
	tree := map[string]map[string][]string{}
	for _, n := range names {
		parts := strings.SplitN(n, ".", 3)
		if tree[parts[0]] == nil {
			tree[parts[0]] = map[string][]string{}
		}
		tree[parts[0]][parts[1]] = append(tree[parts[0]][parts[1]], parts[2])
	}
	methods, _ := json.Marshal(tree)
	noToken, _ := json.Marshal(msgNoToken)
	oldToken, _ := json.Marshal(msgOldToken)
	return fmt.Sprintf(`// Tollgate serve mode: the Wails bindings over HTTP.
(function () {
  const tree = %s;
  const url = new URL(window.location.href);
  if (url.searchParams.has("token")) {
    sessionStorage.setItem("tollgate-token", url.searchParams.get("token"));
    url.searchParams.delete("token");
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  }
  const token = sessionStorage.getItem("tollgate-token");
  async function call(name, args) {
    if (!token) throw %s;
    let res;
    try {
      res = await fetch("/api/call", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Tollgate-Token": token },
        body: JSON.stringify({ name: name, args: args }),
      });
    } catch (e) {
      throw "Tollgate is not answering; is tollgate serve still running?";
    }
    // It answers, but not to this tab's token: a tab keeps its token across a
    // restart of tollgate serve, which makes a new one.
    if (res.status === 401) throw %s;
    let body = null;
    try { body = await res.json(); } catch (e) {}
    if (!res.ok || body === null) throw (body && body.error) || ("Tollgate answered HTTP " + res.status);
    if (body.error !== undefined) throw body.error;
    return body.result;
  }
  window.go = {};
  for (const pkg in tree) {
    window.go[pkg] = {};
    for (const struct in tree[pkg]) {
      window.go[pkg][struct] = {};
      for (const m of tree[pkg][struct]) {
        const name = pkg + "." + struct + "." + m;
        window.go[pkg][struct][m] = (...args) => call(name, args);
      }
    }
  }
  const listeners = {};
  let stream = null;
  // Go's events arrive over one EventSource, opened when the first listener is added.
  function listen() {
    if (stream) return;
    if (!token) return;
    stream = new EventSource("/api/events?token=" + encodeURIComponent(token));
    stream.addEventListener("tollgate", (e) => (listeners[e.data] || []).slice().forEach((cb) => cb()));
    // An event sent before the stream opened, or while it reconnected, is
    // lost; events only say "re-read", so every listener re-reads on open.
    stream.addEventListener("open", () => Object.values(listeners).flat().forEach((cb) => cb()));
  }
  window.runtime = {
    BrowserOpenURL: (url) => { window.location.assign(url); },
    EventsOnMultiple: (name, cb, max) => {
      listen();
      (listeners[name] = listeners[name] || []).push(cb);
      return () => { listeners[name] = (listeners[name] || []).filter((f) => f !== cb); };
    },
    EventsOff: (name) => { delete listeners[name]; },
    EventsEmit: (name, ...data) => { (listeners[name] || []).forEach((cb) => cb(...data)); },
    LogPrint: console.log, LogTrace: console.debug, LogDebug: console.debug, LogInfo: console.info,
    LogWarning: console.warn, LogError: console.error, LogFatal: console.error,
    WindowSetTitle: (title) => { document.title = title; },
    Environment: async () => ({ buildType: "serve", platform: "browser", arch: "" }),
  };
})();
`, methods, noToken, oldToken)
}
