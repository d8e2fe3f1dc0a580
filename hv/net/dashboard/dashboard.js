// Shunt's web dashboard: polls the management API (hv/net/API.md) on the page's own origin
// every 2 s, shows the host, one row per VM with rates computed from successive polls, and
// the log tail, and sends stop/start/restart. It holds no key: shuntctl proxy signs its
// requests. Opened on Shunt's own address it gets 401s and says how to reach it instead.
"use strict";

(function () {
	const POLL_MS = 2000;
	const LOG_LIMIT = 200; // lines a poll asks for (the API allows 1-500)
	const LOG_KEEP = 500; // lines the page keeps
	const ACTIONS = ["stop", "start", "restart"];

	const prev = new Map(); // VM name -> {t, exits, hypercalls, boots}: the last poll
	const pending = new Set(); // VM names with an action under way
	let logAfter = 0;
	let halted = false; // after a 401: no more requests (each one counts as a failure)
	let timer = null;
	let polling = false; // a poll is under way
	let pollAgain = false; // an action asked for a fresh poll meanwhile

	class ApiError extends Error {
		constructor(status, code, message, viaProxy, retryAfter) {
			super(message);
			this.status = status;
			this.code = code;
			this.viaProxy = viaProxy;
			this.retryAfter = retryAfter;
		}
	}

	function $(id) {
		return document.getElementById(id);
	}

	function el(tag, cls, text) {
		const e = document.createElement(tag);
		if (cls)
			e.className = cls;
		if (text !== undefined)
			e.textContent = text;
		return e;
	}

	// One API request. A POST carries the header that shuntctl proxy asks of actions: a page
	// of another origin can not send it without a CORS preflight, which the proxy refuses.
	async function api(method, path) {
		const init = { method: method, cache: "no-store", headers: { Accept: "application/json" } };
		if (method === "POST") {
			init.headers["X-Shunt-Dashboard"] = "1";
			init.body = "";
		}
		let res;
		try {
			res = await fetch(path, init);
		} catch (e) {
			throw new ApiError(0, "unreachable", "no answer from " + location.host);
		}
		let body = null;
		try {
			body = await res.json();
		} catch (e) {
			body = null;
		}
		if (res.ok && body && typeof body === "object")
			return body;
		const err = body && body.error ? body.error : {};
		throw new ApiError(res.status, err.code || "bad_answer",
			err.message || "HTTP " + res.status + " " + res.statusText,
			res.headers.has("X-Shunt-Proxy"), res.headers.get("Retry-After"));
	}

	function showNotice(parts) {
		const n = $("notice");
		n.replaceChildren();
		for (const p of parts) {
			if (typeof p === "string")
				n.append(p);
			else
				n.append(el("code", null, p.code));
		}
		n.hidden = false;
	}

	function hideNotice() {
		$("notice").hidden = true;
	}

	function setStatus(text, ok) {
		const s = $("status");
		s.textContent = text;
		s.className = "status " + (ok ? "ok" : "bad");
	}

	function fmtBytes(n) {
		if (typeof n !== "number")
			return "-";
		if (n >= 1 << 30)
			return (n / (1 << 30)).toFixed(1) + " GiB";
		if (n >= 1 << 20)
			return (n / (1 << 20)).toFixed(1) + " MiB";
		if (n >= 1 << 10)
			return (n / (1 << 10)).toFixed(0) + " KiB";
		return n + " B";
	}

	function fmtDuration(s) {
		if (typeof s !== "number")
			return "-";
		const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24;
		const m = Math.floor(s / 60) % 60, sec = s % 60;
		return (d ? d + "d " : "") + (d || h ? h + "h " : "") + (d || h || m ? m + "m " : "") +
			sec + "s";
	}

	function fmtRate(r) {
		if (r === null)
			return "-";
		return r >= 100 ? Math.round(r).toLocaleString("en") : r.toFixed(1);
	}

	// A number as text, "-" for anything else (a field missing or of another type).
	function n(v) {
		return typeof v === "number" ? String(v) : "-";
	}

	function sum(obj) {
		let t = 0;
		for (const v of Object.values(obj || {}))
			if (typeof v === "number")
				t += v;
		return t;
	}

	function renderHost(h) {
		$("host-name").textContent = h.name || "";
		const cpu = h.cpu || {};
		const virt = h.virtualization || {};
		const mem = h.memory || {};
		const mgmt = h.mgmt || {};
		const facts = [
			["Version", (h.version || "?") + " (ABI " + (h.abi || "?") + ")"],
			["CPU", [cpu.vendor, cpu.model].filter(Boolean).join(" ") + ", " + n(cpu.count) +
				" CPU" + (cpu.count === 1 ? "" : "s")],
			["Virtualization", virt.backend ? virt.backend : "none: " + (virt.why || "unknown")],
			["Memory", fmtBytes(mem.total_bytes) + ", " + fmtBytes(mem.free_bytes) + " free"],
			["Uptime", fmtDuration(h.uptime_s)],
			["Management pool", fmtBytes(mgmt.pool_used_bytes) + " of " +
				fmtBytes(mgmt.pool_bytes) + " in use, high water " +
				fmtBytes(mgmt.pool_high_water_bytes)],
			["API requests", n(mgmt.requests) + ", " + n(mgmt.auth_failures) +
				" failed authentication"],
		];
		const dl = $("host");
		dl.replaceChildren();
		for (const [k, v] of facts) {
			dl.append(el("dt", null, k), el("dd", null, v));
		}
		if (Array.isArray(h.boot_report) && h.boot_report.length) {
			const details = el("details");
			details.append(el("summary", null, h.boot_report.length + " lines"),
				el("pre", null, h.boot_report.join("\n")));
			const dd = el("dd");
			dd.append(details);
			dl.append(el("dt", null, "Boot report"), dd);
		}
	}

	function vmRow(name) {
		const tr = el("tr");
		tr.dataset.vm = name;
		for (const c of ["name", "id num", "state", "memory num", "exits-rate num",
			"hypercalls-rate num", "throttles num", "stop-reason", "actions"])
			tr.append(el("td", c));
		for (const a of ACTIONS) {
			const b = el("button", a, a[0].toUpperCase() + a.slice(1));
			b.type = "button";
			b.dataset.action = a;
			tr.querySelector(".actions").append(b);
		}
		return tr;
	}

	function cell(tr, cls, text) {
		tr.querySelector("." + cls.split(" ")[0]).textContent = text;
	}

	function rate(name, vm, now) {
		const cur = { t: now, exits: sum(vm.exits), hypercalls: (vm.hypercalls || {}).total || 0,
			boots: vm.boots };
		const p = prev.get(name);
		prev.set(name, cur);
		// A restarted VM starts its counters again: no rate across it.
		if (!p || p.boots !== cur.boots || cur.exits < p.exits || cur.hypercalls < p.hypercalls ||
			now <= p.t)
			return { exits: null, hypercalls: null };
		const dt = (now - p.t) / 1000;
		return { exits: (cur.exits - p.exits) / dt, hypercalls: (cur.hypercalls - p.hypercalls) / dt };
	}

	function renderVms(list) {
		const tbody = $("vms").tBodies[0];
		const now = performance.now();
		const rows = new Map();
		for (const tr of tbody.rows)
			rows.set(tr.dataset.vm, tr);
		const seen = new Set();
		for (const vm of list) {
			const name = String(vm.name);
			seen.add(name);
			let tr = rows.get(name);
			if (!tr)
				tr = vmRow(name);
			tbody.append(tr); // keeps the API's order (by id)
			const r = rate(name, vm, now);
			cell(tr, "name", name);
			cell(tr, "id", n(vm.id));
			const state = String(vm.state);
			cell(tr, "state", state);
			tr.querySelector(".state").className = "state state-" + state.replace(/\W/g, "");
			cell(tr, "memory", fmtBytes(vm.memory_bytes));
			cell(tr, "exits-rate", fmtRate(r.exits));
			cell(tr, "hypercalls-rate", fmtRate(r.hypercalls));
			cell(tr, "throttles", n((vm.throttles || {}).total));
			const stop = vm.stop;
			let why = "";
			if (stop) {
				why = stop.reason + (typeof stop.exit_code === "number" ? " (exit " +
					stop.exit_code + ")" : "");
				tr.querySelector(".stop-reason").title = stop.detail || "";
			}
			cell(tr, "stop-reason", why);
			const busy = pending.has(name);
			for (const b of tr.querySelectorAll("button")) {
				const a = b.dataset.action;
				b.disabled = busy || (a === "stop" && vm.state !== "running") ||
					(a === "start" && vm.state !== "stopped") ||
					(a === "restart" && vm.state === "refused");
			}
		}
		for (const [name, tr] of rows) {
			if (!seen.has(name)) {
				tr.remove();
				prev.delete(name);
			}
		}
		$("vms-empty").hidden = list.length !== 0;
	}

	function renderLog(page) {
		const pre = $("log");
		const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
		if (logAfter > 0 && page.first > logAfter + 1) {
			pre.append(el("span", "log-gap", "... " + (page.first - logAfter - 1) +
				" lines overwritten before they were read ...\n"));
		}
		for (const line of page.lines || []) {
			const s = el("span", "log-" + String(line.level).replace(/\W/g, ""),
				String(line.text).replace(/^[\r\n]+|[\r\n]+$/g, "") + "\n");
			s.title = "#" + line.seq + " " + line.level;
			pre.append(s);
		}
		while (pre.childElementCount > LOG_KEEP)
			pre.firstElementChild.remove();
		if (typeof page.next === "number")
			logAfter = page.next;
		if (atBottom)
			pre.scrollTop = pre.scrollHeight;
	}

	function handleError(e) {
		if (!(e instanceof ApiError))
			e = new ApiError(0, "bad_answer", String(e));
		if (e.status === 401) {
			halted = true;
			setStatus("not authorized", false);
			if (e.viaProxy) {
				showNotice(["Shunt refused the proxy's signature: the key is not the one on " +
					"Shunt's boot medium, or the clocks are more than 300 s apart. See the " +
					"terminal where ", { code: "shuntctl proxy" }, " runs, then reload."]);
			} else {
				showNotice(["Shunt's API answers only signed requests, and a browser holds no " +
					"key. On your own machine run ", { code: "shuntctl proxy --host " +
					location.host }, " and open ", { code: "http://127.0.0.1:8080/" },
					": the proxy signs the page's requests and the key never crosses the " +
					"network."]);
			}
			return POLL_MS;
		}
		if (e.status === 429) {
			const wait = Math.max(1, parseInt(e.retryAfter, 10) || 1);
			setStatus("rate limited: retrying in " + wait + " s", false);
			return wait * 1000;
		}
		setStatus(e.status ? e.code + ": " + e.message : e.message, false);
		return POLL_MS;
	}

	async function poll() {
		if (polling) {
			pollAgain = true;
			return;
		}
		polling = true;
		clearTimeout(timer);
		timer = null;
		let wait = POLL_MS;
		try {
			renderHost(await api("GET", "/api/v1/host"));
			const vms = await api("GET", "/api/v1/vms");
			renderVms(Array.isArray(vms.vms) ? vms.vms : []);
			renderLog(await api("GET", "/api/v1/log?after=" + logAfter + "&limit=" + LOG_LIMIT));
			setStatus("connected to " + location.host, true);
			$("updated").textContent = "Last update " + new Date().toLocaleTimeString();
		} catch (e) {
			wait = handleError(e);
		}
		polling = false;
		if (pollAgain)
			wait = 0;
		pollAgain = false;
		if (!halted)
			timer = setTimeout(poll, wait);
	}

	async function act(name, action) {
		if (action === "stop" && !window.confirm("Stop VM " + name + "? Its guest is halted " +
			"at once, as if its power were cut."))
			return;
		pending.add(name);
		try {
			const vm = await api("POST", "/api/v1/vms/" + encodeURIComponent(name) + "/" + action);
			hideNotice();
			setStatus("vm " + name + ": " + action + " done, now " + vm.state, true);
		} catch (e) {
			if (e instanceof ApiError && e.status !== 401 && e.status !== 429)
				showNotice(["vm " + name + ": " + action + " failed: " + e.message]);
			else
				handleError(e);
		} finally {
			pending.delete(name);
		}
		if (!halted)
			poll();
	}

	document.addEventListener("DOMContentLoaded", function () {
		$("vms").tBodies[0].addEventListener("click", function (ev) {
			const b = ev.target.closest("button[data-action]");
			if (!b || b.disabled)
				return;
			act(b.closest("tr").dataset.vm, b.dataset.action);
		});
		poll();
	});
})();
