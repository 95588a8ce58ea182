/**
 * Preloaded into the replay part's children (`node --import …/max_rss.js …`): on exit, writes the
 * process's peak RSS in KB (getrusage's ru_maxrss, the figure GNU `time -f %M` prints) to the file
 * named by BENCH_MAX_RSS_FILE. In-process, so it needs no GNU time (absent on macOS and slim images)
 * and measures the command itself rather than a wrapper around it.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_MAX_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
