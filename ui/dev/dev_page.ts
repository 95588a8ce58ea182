/** The fixture's /dev page: buttons that make the live feed misbehave on purpose. */
export function renderDevPage(): string {
  const button = (path: string, label: string) =>
    `<button onclick="fetch('${path}',{method:'POST'}).then(r=>r.json()).then(j=>out.textContent=JSON.stringify(j))">${label}</button>`;
  return `<!doctype html><meta charset="utf-8"><title>cadre UI fixture</title>
<style>body{font:15px system-ui;background:#0a0d13;color:#e8edf4;padding:2em}button{font:inherit;margin:.3em;padding:.5em 1em}a{color:#7ea6ff}</style>
<h1>cadre UI fixture</h1>
<p><a href="/wall">/wall</a> · <a href="/desk">/desk</a> · <a href="/login">/login</a></p>
${button('/dev/storm?seconds=30', 'Alarm storm (30 s)')}
${button('/dev/calm', 'Calm')}
${button('/dev/pause-stats', 'Pause/resume stats (stale)')}
${button('/dev/kick', 'Disconnect all sockets (reconnecting)')}
<pre id="out"></pre>`;
}
