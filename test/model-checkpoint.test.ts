/**
 * safetensors bytes and checkpoint folders: exact header layout, round trips (weights, optimizer state,
 * config fields), and the error message for each way a checkpoint can be wrong.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@brevity/core';
import {
  AdamW,
  createPolicy,
  decodeSafetensors,
  encodeSafetensors,
  initBackend,
  loadCheckpoint,
  readStep,
  saveCheckpoint,
  softmaxCrossEntropy,
  trainStep,
  writeSafetensors,
  type SafeTensor,
} from '@brevity/trainer';

const cfg = { vocab: 10, d: 8, layers: 2, heads: 2, ctx: 16 };
let root: string;

beforeAll(async () => {
  await initBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'brevity-ckpt-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const f32 = (shape: number[], ...v: number[]): SafeTensor => ({
  dtype: 'F32',
  shape,
  data: Float32Array.from(v),
});

describe('safetensors', () => {
  test('writes the documented layout: u64 LE header length, space-padded JSON header, raw LE data', () => {
    const bytes = encodeSafetensors(new Map([['a', f32([2], 1, -2)]]));
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8');
    expect(header.trimEnd()).toBe('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}');
    expect(Array.from(new Float32Array(bytes.slice(8 + n).buffer))).toEqual([1, -2]);
  });

  test('round-trips F32 and I32 tensors and string metadata', () => {
    const tensors = new Map<string, SafeTensor>([
      ['w', f32([2, 3], 1, 2, 3, 4, 5, 6)],
      ['ids', { dtype: 'I32', shape: [3], data: Int32Array.of(7, -1, 0) }],
      ['empty', f32([0])],
    ]);
    const back = decodeSafetensors(encodeSafetensors(tensors, { step: '12' }));
    expect(back.metadata).toEqual({ step: '12' });
    expect([...back.tensors.keys()]).toEqual(['w', 'ids', 'empty']);
    for (const [k, t] of tensors) {
      expect(back.tensors.get(k)!.shape).toEqual(t.shape);
      expect(Array.from(back.tensors.get(k)!.data)).toEqual(Array.from(t.data));
    }
  });

  // Each case corrupts a valid file in one way and names the expected message.
  test.each([
    { what: 'too short', bytes: () => new Uint8Array(4), error: /file too short/ },
    {
      what: 'header length past the end',
      bytes: () => {
        const b = encodeSafetensors(new Map([['a', f32([1], 1)]]));
        new DataView(b.buffer).setBigUint64(0, 10_000n, true);
        return b;
      },
      error: /header length 10000 exceeds the file/,
    },
    {
      what: 'data shorter than the shape',
      bytes: () => encodeSafetensors(new Map([['a', f32([2], 1, 2)]])).slice(0, -4),
      error: /tensor a has a malformed shape or data_offsets/,
    },
  ])('rejects a file that is $what', ({ bytes, error }) => {
    expect(() => decodeSafetensors(bytes(), 'x.safetensors')).toThrow(error);
  });
});

async function trainedPolicy() {
  const policy = createPolicy(cfg, 1);
  const opt = new AdamW(
    policy.variables,
    policy.specs.map((s) => s.decay),
    { weightDecay: 0.1 },
  );
  const ids = tf.tensor2d(
    Int32Array.from({ length: 24 }, (_, i) => i % 10),
    [2, 12],
    'int32',
  );
  const targets = tf.tensor1d(
    Int32Array.from({ length: 24 }, (_, i) => (i * 7) % 10),
    'int32',
  );
  const w = tf.fill([24], 1 / 24) as tf.Tensor1D;
  const loss = () => softmaxCrossEntropy(tf.reshape(policy.forward(ids).logits, [24, 10]), targets, w);
  for (let i = 0; i < 3; i++) await readStep(trainStep(opt, loss, 0.01));
  return { policy, opt, ids };
}

describe('checkpoints', () => {
  test('round-trip: weights, log-probs, optimizer state and every config field', async () => {
    const { policy, opt, ids } = await trainedPolicy();
    const rng = Rng.from(5);
    rng.next();
    const dir = join(root, 'rt');
    await saveCheckpoint(dir, {
      policy,
      optimizer: opt,
      tokenizer: { type: 'char', tokens: ['a'] },
      train: { lr: 0.01 },
      step: 3,
      rng: rng.state(),
      rewardState: { target: 40 },
      extraTensors: new Map([['value.w', f32([2], 0.5, 0.25)]]),
    });
    const back = loadCheckpoint(dir);
    expect(back.config).toMatchObject({
      step: 3,
      train: { lr: 0.01 },
      rewardState: { target: 40 },
      optimizerStep: 3,
    });
    expect(back.config.rng).toEqual(rng.state());
    expect(back.config.model).toEqual(policy.config);
    expect(await back.policy.weights()).toEqual(await policy.weights());
    const [a, b] = [policy.logprobs(ids).logprobs, back.policy.logprobs(ids).logprobs];
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    const [sa, sb] = [await opt.state(), back.optimizer!];
    expect(sb.step).toBe(3);
    expect(sb.m.map((x) => Array.from(x))).toEqual(sa.m.map((x) => Array.from(x)));
    expect(sb.v.map((x) => Array.from(x))).toEqual(sa.v.map((x) => Array.from(x)));
    expect(Array.from(back.extraTensors.get('value.w')!.data)).toEqual([0.5, 0.25]);
    // Saving over an existing checkpoint replaces it and leaves no temporary folders behind.
    await saveCheckpoint(dir, { policy, step: 4 });
    expect(loadCheckpoint(dir).config.step).toBe(4);
    expect(existsSync(join(dir, 'optimizer.safetensors'))).toBe(false);
    expect(existsSync(`${dir}.tmp-${process.pid}`) || existsSync(`${dir}.old-${process.pid}`)).toBe(false);
    policy.dispose();
    back.policy.dispose();
  });

  // Each case breaks a saved checkpoint in one way; the message must say what is wrong and where.
  const cases: { what: string; breakIt: (dir: string) => void; error: RegExp }[] = [
    { what: 'a missing folder', breakIt: (d) => rmSync(d, { recursive: true }), error: /no such folder/ },
    {
      what: 'a missing config.json',
      breakIt: (d) => rmSync(join(d, 'config.json')),
      error: /config.json is missing/,
    },
    {
      what: 'a config with heads not dividing d',
      breakIt: (d) => editConfig(d, (c) => ((c.model as Record<string, number>).heads = 3)),
      error: /config.json: model.heads: `heads` must divide `d`/,
    },
    {
      what: 'weights of another width',
      breakIt: (d) => editConfig(d, (c) => ((c.model as Record<string, number>).d = 16)),
      error: /tensor tok_emb has shape \[10,8\] but the config \(d=16, .*\) expects \[10,16\]/,
    },
    {
      what: 'a config with more layers than the weights',
      breakIt: (d) => editConfig(d, (c) => ((c.model as Record<string, number>).layers = 3)),
      error: /missing tensor blocks\.2\.norm1 \(expected shape \[8\]\)/,
    },
    {
      what: 'an extra tensor in the weights',
      breakIt: (d) => {
        const file = join(d, 'model.safetensors');
        const { tensors } = decodeSafetensors(readFileSync(file));
        tensors.set('stray', f32([1], 0));
        writeSafetensors(file, tensors);
      },
      error: /unexpected tensor stray/,
    },
    {
      what: 'an optimizer state of another size',
      breakIt: (d) => {
        const file = join(d, 'optimizer.safetensors');
        const { tensors } = decodeSafetensors(readFileSync(file));
        tensors.set('m.head', f32([1], 0));
        writeSafetensors(file, tensors);
      },
      error: /optimizer.safetensors does not match config.json:\n {2}- tensor m.head has shape \[1\]/,
    },
  ];

  function editConfig(dir: string, f: (c: Record<string, unknown>) => void) {
    const file = join(dir, 'config.json');
    const c = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    f(c);
    writeFileSync(file, JSON.stringify(c));
  }

  test.each(cases)('explains $what', async ({ breakIt, error }) => {
    const { policy, opt } = await trainedPolicy();
    const dir = join(root, `bad-${Math.random().toString(36).slice(2)}`);
    await saveCheckpoint(dir, { policy, optimizer: opt, step: 3 });
    policy.dispose();
    breakIt(dir);
    expect(() => loadCheckpoint(dir)).toThrow(error);
  });
});
