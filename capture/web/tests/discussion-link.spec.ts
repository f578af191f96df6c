import { expect, test, type Page, type WebSocket } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { signIn, station, technicianRecords, until } from './station';

// A measurement, not a CI test: started by bench/CathLab.Bench.Discussion, which puts each participant's pages behind a
// throttling relay of its own (CATHLAB_LINK_A, CATHLAB_LINK_B: one shared rate per direction and a fixed delay each way).
// Both pages live in one Chromium, so Date.now() is one clock: a pointer moved on A is timed from its pointermove to
// the moment B's overlay drew it, an annotation from the pointerup that sent it to B's event, while both review
// players play the run through the same links.

const linkA = process.env['CATHLAB_LINK_A'] ?? '';
const linkB = process.env['CATHLAB_LINK_B'] ?? '';
const pointerSeconds = Number(process.env['CATHLAB_POINTER_SECONDS'] ?? '20');
const annotations = Number(process.env['CATHLAB_ANNOTATIONS'] ?? '10');
const playFps = process.env['CATHLAB_PLAY_FPS'] ?? '10';

interface Frames {
  /** Per message type: count, largest and total payload bytes, and the same on the wire with the WebSocket header. */
  [direction: string]: Record<string, { count: number; maxPayload: number; maxWire: number; totalWire: number }>;
}

/** Bytes of each discussion message by type and direction, and the review stream's total, as Chromium sent and got them. */
function countFrames(page: Page, frames: Frames, review: { bytes: number }): void {
  const add = (direction: string, payload: string | Buffer, masked: boolean) => {
    const text = typeof payload === 'string' ? payload : payload.toString('utf8');
    const bytes = Buffer.byteLength(text);
    // RFC 6455 framing: 2 bytes, 2 more from 126 bytes, 8 more from 64 KiB; a client's frames carry a 4-byte mask.
    const wire = bytes + 2 + (bytes >= 126 ? (bytes >= 65536 ? 8 : 2) : 0) + (masked ? 4 : 0);
    let type = '?';
    try {
      const parsed = JSON.parse(text) as { type?: string };
      type = parsed.type ?? 'hello';
    } catch { /* binary or not JSON */ }
    const t = ((frames[direction] ??= {})[type] ??= { count: 0, maxPayload: 0, maxWire: 0, totalWire: 0 });
    t.count++;
    t.maxPayload = Math.max(t.maxPayload, bytes);
    t.maxWire = Math.max(t.maxWire, wire);
    t.totalWire += wire;
  };
  page.on('websocket', (ws: WebSocket) => {
    if (ws.url().endsWith('/ws/discussion')) {
      ws.on('framesent', (f) => add('sent', f.payload, true));
      ws.on('framereceived', (f) => add('received', f.payload, false));
    } else if (ws.url().endsWith('/live/ws')) {
      ws.on('framereceived', (f) => (review.bytes += typeof f.payload === 'string' ? Buffer.byteLength(f.payload) : f.payload.length));
    }
  });
}

interface LinkLog {
  sent: unknown[][];
  received: unknown[][];
  /** Review frames drawn since instrumented. */
  shown: number;
}

/** Logs in the page: each pointer and annotation sent (with the time of the pointermove whose position it carries) and
 * each one received (after the panel has drawn it). */
function instrument(page: Page): Promise<void> {
  return page.evaluate(() => {
    type Op = Record<string, unknown> & { type: string };
    type Connection = { send(op: Op): boolean; onMessage: (m: Op) => void };
    const w = window as never as { cathlab: { viewer: { discussion: { connection: Connection }; player: { onShown: (f: number) => void } } }; linkLog: LinkLog };
    const log: LinkLog = { sent: [], received: [], shown: 0 };
    w.linkLog = log;
    const player = w.cathlab.viewer.player;
    const shown = player.onShown;
    player.onShown = (f) => {
      shown(f);
      log.shown++;
    };
    let lastMoveAt = 0;
    document.getElementById('review-area')!.addEventListener('pointermove', () => (lastMoveAt = Date.now()), { capture: true });
    const c = w.cathlab.viewer.discussion.connection;
    const send = c.send.bind(c);
    c.send = (op) => {
      if (op.type === 'pointer') log.sent.push(['pointer', lastMoveAt, Date.now(), op['x'], op['y']]);
      else if (op.type === 'annotate') log.sent.push(['annotate', Date.now(), Date.now(), op['text']]);
      return send(op);
    };
    const take = c.onMessage;
    c.onMessage = (m) => {
      take(m);
      if (m.type === 'pointer') log.received.push(['pointer', Date.now(), m['x'], m['y']]);
      else if (m.type === 'annotation') log.received.push(['annotation', Date.now(), (m['annotation'] as { text?: string }).text ?? '', m['op']]);
    };
  });
}

function linkLog(page: Page): Promise<LinkLog> {
  return page.evaluate(() => (window as never as { linkLog: LinkLog }).linkLog);
}

async function framesShown(page: Page): Promise<number> {
  return (await linkLog(page)).shown;
}

function joined(page: Page): Promise<{ link: string; playing: boolean; others: number }> {
  return page.evaluate(() => {
    const d = (window as never as { cathlab?: { viewer?: { discussion?: { connection: { link: string } | null; playback: { playing: boolean } | null; participants: Map<string, { online: boolean }> } } } }).cathlab?.viewer?.discussion;
    if (!d) return { link: 'loading', playing: false, others: 0 };
    return { link: d.connection?.link ?? 'idle', playing: d.playback?.playing ?? false, others: [...d.participants.values()].filter((p) => p.online).length };
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

test('pointers and annotations over a slow link while the review plays', async ({ browser }) => {
  test.setTimeout(300_000);
  expect(linkA && linkB, 'CATHLAB_LINK_A and CATHLAB_LINK_B: started by bench/CathLab.Bench.Discussion').toBeTruthy();
  const { examId } = await technicianRecords(browser, 'cardiac-cine-15', 2000);
  const frames: Record<string, Frames> = { a: {}, b: {} };
  const review = { a: { bytes: 0 }, b: { bytes: 0 } };
  const open = async (key: 'a' | 'b', link: string, name: string) => {
    const page = await browser.newPage();
    countFrames(page, frames[key]!, review[key]);
    await signIn(page, station.observerToken, `${link}#exam=${encodeURIComponent(examId)}&discuss=${encodeURIComponent(name)}`);
    await expect(page.locator('#viewer')).toBeVisible({ timeout: 120_000 });
    await until(() => joined(page), (s) => s.link === 'joined', `${name} in the discussion`, 120_000);
    return page;
  };
  const a = await open('a', linkA, 'Dr A');
  const b = await open('b', linkB, 'Dr B');
  await until(() => joined(b), (s) => s.others === 2, 'both online', 60_000);
  await instrument(a);
  await instrument(b);

  // A drives: the run played at the chosen rate on both sides, through both links, for the whole measurement.
  await expect(a.locator('#review-runs li')).toHaveCount(1, { timeout: 60_000 });
  await a.locator('#review-runs li').first().click();
  await until(() => joined(a), (s) => !s.playing, 'the run selected', 60_000);
  // CATHLAB_PLAY_FPS=0: the control run, the run selected but not played (no video on the links).
  if (playFps !== '0') {
    await a.selectOption('#review-rate', playFps);
    await a.click('#review-play');
    await until(() => joined(b), (s) => s.playing, 'playing on B', 60_000);
  }
  await a.waitForTimeout(3000);
  const shownBefore = [await framesShown(a), await framesShown(b)];
  const started = Date.now();

  // Pointer: a path of distinct positions over the review area, one move every ~30 ms.
  const box = (await a.locator('#review-area').boundingBox())!;
  for (let i = 0; Date.now() - started < pointerSeconds * 1000; i++) {
    const t = i / 40;
    await a.mouse.move(box.x + box.width * (0.5 + 0.35 * Math.cos(t)), box.y + box.height * (0.5 + 0.35 * Math.sin(1.3 * t)));
    await a.waitForTimeout(30);
  }

  // Annotations: arrows with distinct notes, one every 1.5 s.
  await a.selectOption('#discussion-tool', 'arrow');
  for (let i = 0; i < annotations; i++) {
    await a.fill('#discussion-note', `m${i}`);
    await a.mouse.move(box.x + 100 + 10 * i, box.y + 150);
    await a.mouse.down();
    await a.mouse.move(box.x + 200 + 10 * i, box.y + 220, { steps: 3 });
    await a.mouse.up();
    await a.waitForTimeout(1500);
  }
  await until(() => linkLog(b), (l) => l.received.filter((r) => r[0] === 'annotation').length >= annotations, 'every annotation on B', 60_000);
  const seconds = (Date.now() - started) / 1000;
  const shownAfter = [await framesShown(a), await framesShown(b)];
  const sentLog = await linkLog(a);
  const seenLog = await linkLog(b);

  const key = (x: unknown, y: unknown) => `${Number(x).toFixed(3)},${Number(y).toFixed(3)}`;
  const sentPointers = new Map<string, { movedAt: number; sentAt: number }>();
  for (const s of sentLog.sent) if (s[0] === 'pointer') sentPointers.set(key(s[3], s[4]), { movedAt: s[1] as number, sentAt: s[2] as number });
  const pointerSamples: { movedAt: number; sentAt: number; drawnAt: number }[] = [];
  for (const r of seenLog.received) {
    if (r[0] !== 'pointer') continue;
    const s = sentPointers.get(key(r[2], r[3]));
    if (s) pointerSamples.push({ ...s, drawnAt: r[1] as number });
  }
  const sentAnnotations = new Map(sentLog.sent.filter((s) => s[0] === 'annotate').map((s) => [s[3] as string, s[1] as number]));
  const annotationSamples = seenLog.received
    .filter((r) => r[0] === 'annotation' && r[3] === 'added' && sentAnnotations.has(r[2] as string))
    .map((r) => ({ text: r[2] as string, sentAt: sentAnnotations.get(r[2] as string)!, seenAt: r[1] as number }));
  const pointerDelays = pointerSamples.map((s) => s.drawnAt - s.movedAt).sort((x, y) => x - y);
  const annotationDelays = annotationSamples.map((s) => s.seenAt - s.sentAt).sort((x, y) => x - y);
  const figures = {
    link: process.env['CATHLAB_LINK_DESCRIPTION'] ?? '',
    playFps: Number(playFps),
    seconds,
    pointer: {
      sent: sentPointers.size, drawn: pointerSamples.length, p50Ms: percentile(pointerDelays, 0.5), p99Ms: percentile(pointerDelays, 0.99), maxMs: pointerDelays.at(-1),
      sendToDrawnP50Ms: percentile(pointerSamples.map((s) => s.drawnAt - s.sentAt).sort((x, y) => x - y), 0.5),
    },
    annotation: { sent: sentAnnotations.size, seen: annotationSamples.length, p50Ms: percentile(annotationDelays, 0.5), p99Ms: percentile(annotationDelays, 0.99), maxMs: annotationDelays.at(-1) },
    reviewFramesPerSecond: { a: (shownAfter[0]! - shownBefore[0]!) / seconds, b: (shownAfter[1]! - shownBefore[1]!) / seconds },
    reviewBytes: review,
    discussionFrames: frames,
    samples: { pointer: pointerSamples, annotation: annotationSamples },
  };
  console.log(`discussion-link: ${JSON.stringify({ ...figures, samples: undefined })}`);
  writeFileSync(`${station.artifacts}/discussion-link.json`, JSON.stringify(figures, null, 1));
  expect(annotationSamples.length).toBe(annotations);
  expect(pointerSamples.length).toBeGreaterThan(0);
});
