/**
 * `backprop`: the headless entry point. Until the Python interpreter lands
 * (see the interpreter issue), it runs the course's chain-rule exercise
 * through the autograd core and prints the forward values and every
 * backward step as text (or as JSON with --json), then checks the
 * hand-derived gradients against the engine's.
 */
import * as c from './core';
import { formatBackward, formatNode, formatValues } from './session/trace';

const USAGE = `usage: backprop demo [--json]

  demo     the course exercise: y_hat = x**2 * w2 + x * w1 + b, loss = (y_hat - y)**2,
           with x=2, y=3, w1=0.5, w2=-1.5, b=0.25; prints the forward pass, each
           backward step with its chain-rule product, and checks the gradients
           derived by hand (dL/dw1 = 2(y_hat - y)x, dL/dw2 = 2(y_hat - y)x², dL/db = 2(y_hat - y)).
  --json   print the step records as JSON instead of text`;

function named(t: c.Tensor, label: string): c.Tensor {
  t.meta = { ...(t.meta ?? {}), label };
  return t;
}

function leaf(v: number, label: string, requiresGrad: boolean): c.Tensor {
  const t = named(c.scalar(v), label);
  if (requiresGrad) c.requiresGrad_(t);
  return t;
}

function demo(json: boolean): number {
  const x = leaf(2, 'x', false);
  const y = leaf(3, 'y', false);
  const w1 = leaf(0.5, 'w1', true);
  const w2 = leaf(-1.5, 'w2', true);
  const b = leaf(0.25, 'b', true);
  const forward: c.Tensor[] = [];
  const prev = c.setOpListener((out, _op, recorded) => {
    if (recorded) forward.push(out);
  });
  let yHat: c.Tensor;
  let loss: c.Tensor;
  try {
    const x2 = named(c.pow(x, 2), 'x**2');
    const t1 = named(c.mul(x2, w2), 'x**2*w2');
    const t2 = named(c.mul(x, w1), 'x*w1');
    const sum = named(c.add(t1, t2), 'x**2*w2 + x*w1');
    yHat = named(c.add(sum, b), 'ŷ');
    const residual = named(c.sub(yHat, y), 'ŷ − y');
    loss = named(c.pow(residual, 2), 'loss');
  } finally {
    c.setOpListener(prev);
  }
  const rec = c.backward(loss, { record: true }) as c.BackwardRecord;
  const residual = yHat.at(0) - y.at(0);
  const checks = [
    { name: 'w1', derived: 2 * residual * x.at(0), engine: w1.grad?.at(0) },
    { name: 'w2', derived: 2 * residual * x.at(0) ** 2, engine: w2.grad?.at(0) },
    { name: 'b', derived: 2 * residual, engine: b.grad?.at(0) },
  ];
  const ok = checks.every((k) => k.engine === Math.fround(k.derived));
  if (json) {
    const dto = (t: c.Tensor | null) => (t ? { shape: [...t.shape], values: t.values() } : null);
    const out = {
      forward: forward.map((t) => ({ id: t.id, label: t.meta?.label, op: c.backwardNameOf(t), value: dto(t) })),
      steps: rec.steps.map((s) => ({
        node: s.node.id,
        backwardName: s.backwardName,
        upstream: dto(s.upstream),
        inputs: s.inputs.map((i) => ({
          input: i.input.id,
          derivative: i.derivative.text,
          local: dto(i.local),
          contribution: dto(i.contribution),
          before: dto(i.before),
          after: dto(i.after),
        })),
      })),
      checks,
      ok,
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else {
    const say = (s: string) => process.stdout.write(s + '\n');
    say('forward');
    for (const t of forward) say('  ' + formatNode(t));
    say('\nbackward');
    for (const line of formatBackward(rec, undefined, 'loss')) say('  ' + line);
    say('\nhand-derived gradients');
    for (const k of checks)
      say(`  ${k.engine === Math.fround(k.derived) ? 'PASS' : 'FAIL'}  ∂loss/∂${k.name}: derived ${formatValues(c.scalar(k.derived))}, engine ${formatValues(k.engine === undefined ? c.scalar(NaN) : c.scalar(k.engine))}`);
  }
  return ok ? 0 : 1;
}

function main(argv: string[]): number {
  const args = argv.slice(2);
  if (args.includes('-h') || args.includes('--help')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const cmd = args.find((a) => !a.startsWith('-')) ?? 'demo';
  if (cmd !== 'demo') {
    process.stderr.write(`backprop: unknown command '${cmd}'\n${USAGE}\n`);
    return 2;
  }
  return demo(args.includes('--json'));
}

// A closed pipe (`backprop demo | head`) ends the program quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = main(process.argv);
