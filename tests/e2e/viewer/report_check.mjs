// Opens a `fleetclip report` page from file:// in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core) and checks it against the clip's manifest.pb, decoded here with our
// schema: every video reaches loadeddata with its expected duration; the scrubber seeks all videos
// and the signal cursor together; frame-step and play keep them together; each plot holds one
// curve and the event marker at the x the manifest gives; the screenshot (kept as SCREENSHOT) is
// not blank. Prints one line per check; exits 1 if any fails.
//   node report_check.mjs REPORT.html CLIP_DIR PROTO_DIR SCREENSHOT.png
import { chromium } from "playwright-core";
import protobuf from "protobufjs";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [html, clipDir, protoDir, screenshot] = process.argv.slice(2);
let failures = 0;
function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures++;
}
const near = (a, b, tol) => Math.abs(a - b) <= tol;

// The manifest, for the expected times.
const root = await protobuf.load(join(protoDir, "clip_manifest.proto"));
const Manifest = root.lookupType("fleetclip.proto.ClipManifest");
const m = Manifest.toObject(Manifest.decode(readFileSync(join(clipDir, "manifest.pb"))), { longs: Number });
const t0 = Math.min(...m.cameras.map((c) => c.firstPacketMonoNs));
const end = Math.max(m.windowEndMonoNs, ...m.cameras.map((c) => c.lastPacketMonoNs));
const D = (end - t0) / 1e9;
const eventT = m.events.map((e) => (e.firedMonoNs - t0) / 1e9);

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--autoplay-policy=no-user-gesture-required"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  const requests = [];
  page.on("request", (r) => { if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) requests.push(r.url()); });
  await page.goto(pathToFileURL(resolve(html)).href);

  // Videos: loadeddata and duration.
  const loaded = await page.evaluate(async () => {
    const vs = [...document.querySelectorAll("video.cam")];
    const ready = (v) => v.readyState >= 2 ? true : new Promise((res) => {
      v.addEventListener("loadeddata", () => res(true), { once: true });
      v.addEventListener("error", () => res(false), { once: true });
      setTimeout(() => res(false), 20000);
    });
    const ok = await Promise.all(vs.map(ready));
    return vs.map((v, i) => ({ camera: v.dataset.camera, ok: ok[i], duration: v.duration,
                                expected: +v.dataset.expectedDuration, offset: +v.dataset.offset }));
  });
  check(loaded.length === m.cameras.length, `${loaded.length} videos for the manifest's ${m.cameras.length} cameras`);
  for (const v of loaded) {
    const cam = m.cameras.find((c) => c.name === v.camera);
    const span = (cam.lastPacketMonoNs - cam.firstPacketMonoNs) / 1e9;
    check(v.ok, `${v.camera}: loadeddata`);
    check(near(v.duration, span, 0.25), `${v.camera}: duration ${v.duration.toFixed(3)} s, manifest span ${span.toFixed(3)} s (+1 frame)`);
    check(near(v.offset, (cam.firstPacketMonoNs - t0) / 1e9, 0.001), `${v.camera}: offset on the timeline ${v.offset} s`);
  }

  // Seeking with the scrubber moves every video and the cursor.
  const state = async () => page.evaluate(() => ({
    t: window.fleetclipReport.time(),
    videos: [...document.querySelectorAll("video.cam")].map((v) => ({ t: v.currentTime, offset: +v.dataset.offset })),
    cursors: [...document.querySelectorAll("svg.plot")].map((s) => ({
      x: +s.querySelector(".cursor").getAttribute("x1"), x0: +s.dataset.x0, xw: +s.dataset.xw })),
  }));
  const seekTo = 12.5;
  await page.evaluate(async (t) => {
    const s = document.getElementById("scrub");
    const seeked = [...document.querySelectorAll("video.cam")].map((v) => new Promise((res) => {
      v.addEventListener("seeked", res, { once: true }); setTimeout(res, 5000); }));
    s.value = t;
    s.dispatchEvent(new Event("input"));
    await Promise.all(seeked);
  }, seekTo);
  let s = await state();
  check(near(s.t, seekTo, 0.002), `the scrubber sets the timeline to ${s.t} s`);
  check(s.videos.every((v) => near(v.t, seekTo - v.offset, 0.06)),
        `every video shows timeline ${seekTo} s: ${s.videos.map((v) => (v.t + v.offset).toFixed(3)).join(", ")}`);
  check(s.cursors.length > 0 && s.cursors.every((c) => near(c.x, c.x0 + (seekTo / D) * c.xw, 0.05)),
        `every plot's cursor is at x ${(s.cursors[0].x0 + (seekTo / D) * s.cursors[0].xw).toFixed(2)}`);

  // Frame-step forward.
  await page.click("#fwd");
  await page.waitForTimeout(300);
  const frame = await page.evaluate(() => +document.body.dataset.frame);
  s = await state();
  check(near(s.t, seekTo + frame, 0.002) && s.videos.every((v) => near(v.t + v.offset, s.t, 0.06)),
        `frame-step moves all to ${s.t.toFixed(3)} s (one frame = ${frame} s)`);

  // Play for about a second: all advance together.
  await page.click("#play");
  await page.waitForTimeout(1200);
  await page.click("#play");
  s = await state();
  const times = s.videos.map((v) => v.t + v.offset);
  check(s.t > seekTo + 0.3 && Math.max(...times) - Math.min(...times) < 0.2,
        `play advances every video together: ${times.map((x) => x.toFixed(3)).join(", ")}`);

  // Plots: one curve each, the signals that matter, the event marker at the right x.
  const plots = await page.evaluate(() => [...document.querySelectorAll("svg.plot")].map((p) => ({
    signal: p.dataset.signal, curves: p.querySelectorAll("path.curve").length,
    d: p.querySelector("path.curve")?.getAttribute("d") ?? "", x0: +p.dataset.x0, xw: +p.dataset.xw,
    events: [...p.querySelectorAll("line.event")].map((l) => +l.getAttribute("x1")) })));
  const names = plots.map((p) => p.signal);
  for (const want of ["speed", "accel_long", "accel_lat", "steering_angle", "autonomy_engaged"]) {
    check(names.includes(want), `a plot of ${want}`);
  }
  check(new Set(names).size === names.length, `one plot per signal (${names.join(", ")})`);
  for (const p of plots) {
    const points = (p.d.match(/[ML]/g) ?? []).length;
    check(p.curves === 1 && points > 50, `${p.signal}: one curve of ${points} points`);
    const want = eventT.map((t) => p.x0 + (t / D) * p.xw);
    check(p.events.length === want.length && p.events.every((x, i) => near(x, want[i], 0.1)),
          `${p.signal}: event marker at x ${p.events.join(", ")} (manifest: ${want.map((x) => x.toFixed(1)).join(", ")})`);
  }
  const thresholds = await page.evaluate(() => document.querySelectorAll("svg.plot .threshold").length);
  check(m.events.some((e) => e.rule !== "harsh_braking") || thresholds >= 2, `${thresholds} threshold lines`);
  const rows = await page.evaluate(() => document.querySelectorAll("#events tr").length - 1);
  check(rows === m.events.length, `the events table has ${rows} rows`);
  const verified = await page.evaluate(() => [...document.querySelectorAll("#files td.ok")].length);
  check(verified === m.files.length, `all ${m.files.length} files verify in the files table`);

  // The screenshot, decoded by the browser itself: not blank.
  await page.evaluate(() => window.fleetclipReport.setTime(13));
  await page.waitForTimeout(500);
  const png = await page.screenshot({ path: screenshot, fullPage: true });
  const colours = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = "data:image/png;base64," + b64;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width; c.height = img.height;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    let dark = 0;
    for (let i = 0; i < d.length; i += 4 * 7) {
      seen.add((d[i] >> 3) << 10 | (d[i + 1] >> 3) << 5 | (d[i + 2] >> 3));
      if (d[i] + d[i + 1] + d[i + 2] < 600) dark++;
    }
    return { distinct: seen.size, darkShare: dark / (d.length / 28) };
  }, png.toString("base64"));
  check(colours.distinct > 200 && colours.darkShare > 0.05,
        `the screenshot is not blank: ${colours.distinct} colours, ${(100 * colours.darkShare).toFixed(1)}% non-white (${screenshot})`);
  check(requests.length === 0, `no network requests (${requests.join(" ")})`);
} finally {
  await browser.close();
}
process.exit(failures === 0 ? 0 : 1);
