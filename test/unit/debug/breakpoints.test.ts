import { strict as assert } from 'node:assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { byName, children, client, EXERCISE, fixture, launch, scopeVars, step, stopServer, where } from './helpers';

describe('debug adapter: breakpoints, exceptions, evaluate', () => {
  let dc: DebugClient;
  beforeEach(async () => {
    dc = await client();
  });
  afterEach(async () => {
    await dc.stop();
  });
  after(stopServer);

  it('a line breakpoint hits before the line in the forward pass, then when the gradient reaches its nodes', async () => {
    const ev = await launch(dc, { stopOnEntry: false, breakpoints: [{ line: 14 }] });
    assert.equal(ev?.body.reason, 'breakpoint');
    assert.equal((await where(dc)).line, 14);
    const hits: string[] = [];
    for (let i = 0; i < 4; i++) {
      const w = await step(dc, 'continue');
      hits.push(`${w?.name}@${w?.column}`);
    }
    assert.deepEqual(hits, [
      'backward: AddBackward0 (line 14)@9',
      'backward: AddBackward0 (line 14)@9',
      'backward: MulBackward0 (line 14)@21',
      'backward: MulBackward0 (line 14)@9',
    ]);
    assert.equal(await step(dc, 'continue'), null, 'then the program ends');
  });

  it('reverse continue walks back to earlier hits, then to the first step', async () => {
    await launch(dc, { stopOnEntry: false, breakpoints: [{ line: 14 }] });
    await step(dc, 'continue');
    await step(dc, 'continue');
    assert.equal((await step(dc, 'reverseContinue'))?.name, 'backward: AddBackward0 (line 14)');
    assert.equal((await step(dc, 'reverseContinue'))?.name, '<module>');
    assert.equal((await where(dc)).line, 14);
    const first = await step(dc, 'reverseContinue');
    assert.equal(first?.line, 8);
  });

  it('conditional breakpoints are evaluated by the interpreter, also on gradients during backward', async () => {
    const ev = await launch(dc, {
      program: fixture('loop.py'),
      breakpoints: [
        { line: 9, condition: 'i == 3' },
        { line: 5, condition: 'w.grad is not None and w.grad.abs() > 10' },
      ],
    });
    assert.equal(ev?.body.reason, 'breakpoint');
    // w.grad after the passes for i = 0, 1, 2 is 0 + 3 + 6 = 9: not > 10, so line 5 first stops in the backward pass of i = 3.
    let w = await where(dc);
    assert.equal(w.line, 9);
    assert.equal((await dc.evaluateRequest({ expression: 'i', context: 'watch' })).body.result, '3');
    // The backward pass of i = 3 reaches line 9's node (i == 3 still holds) …
    w = (await step(dc, 'continue')) as NonNullable<typeof w>;
    assert.equal(w.name, 'backward: MulBackward0 (line 9)');
    // … then line 5's node, where w.grad has become 9 + 9 = 18.
    w = (await step(dc, 'continue')) as NonNullable<typeof w>;
    assert.equal(w.name, 'backward: MulBackward0 (line 5)');
    assert.equal((await dc.evaluateRequest({ expression: 'w.grad', context: 'repl' })).body.result, 'tensor(18.)');
  });

  it('hit counts and logpoints', async () => {
    const outputs: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => outputs.push(e.body.output));
    await launch(dc, {
      program: fixture('loop.py'),
      breakpoints: [
        { line: 10, logMessage: 'i={i} grad={w.grad}' },
        { line: 5, hitCondition: '3' },
      ],
    });
    // Line 5 is hit in f (forward) and by MulBackward0 (backward): the 3rd hit is the second call's forward.
    const w = await where(dc);
    assert.equal(w.line, 5);
    assert.equal(w.name, 'f');
    assert.deepEqual(w.frames, ['f', '<module>']);
    assert.equal((await dc.evaluateRequest({ expression: 'v * 2' })).body.result, 'tensor(2.)');
    assert.ok(outputs.includes('i=0 grad=None\n'), outputs.join('|'));
    assert.ok(!outputs.some((o) => o.startsWith('i=1')), 'the second logpoint comes later');
  });

  it('the "Python errors" filter stops at the error with exception info', async () => {
    const ev = await launch(dc, { program: fixture('error.py') });
    assert.equal(ev?.body.reason, 'exception');
    const w = await where(dc);
    assert.equal(w.line, 5);
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'NameError');
    assert.equal(info.body.description, "name 'w3' is not defined");
  });

  it('the "NaN or inf appears" filter stops where the inf is born, in the backward pass', async () => {
    const ev = await launch(dc, { program: fixture('nan.py'), filters: ['errors', 'nan'] });
    assert.equal(ev?.body.reason, 'exception');
    const w = await where(dc);
    assert.equal(w.name, 'backward: SqrtBackward0 (line 5)');
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'NaN or inf');
    assert.match(info.body.description ?? '', /contribution to input 0 is NaN or inf: tensor\(inf\)/);
  });

  it('variables: tensors expand to value, grad, shape, requires_grad, grad_fn; evaluate cannot change the run', async () => {
    await launch(dc, { stopOnEntry: false, breakpoints: [{ line: 17 }] });
    const locals = await scopeVars(dc, 'Locals');
    const w1 = byName(locals, 'w1');
    assert.equal(w1.value, 'tensor(0.5000)');
    const rows = await children(dc, w1);
    assert.deepEqual(
      rows.map((r) => `${r.name}=${r.value}`),
      [
        'value=tensor(0.5000)',
        'grad=tensor(-31.)',
        'shape=torch.Size([])',
        'requires_grad=True',
        'grad_fn=None',
        'dtype=torch.float32',
      ],
    );
    const yhat = await children(dc, byName(locals, 'y_hat'));
    assert.equal(byName(yhat, 'grad_fn').value, '<AddBackward0>');
    const r = await dc.evaluateRequest({ expression: '2 * (y_hat - y) * x', context: 'hover' });
    assert.equal(r.body.result, 'tensor(-31.)');
    await assert.rejects(dc.evaluateRequest({ expression: 'w1.zero_()' }), /not allowed in a debugger expression/);
    await assert.rejects(dc.evaluateRequest({ expression: 'w9' }), /NameError: name 'w9' is not defined/);
    const again = await dc.evaluateRequest({ expression: 'w1.grad' });
    assert.equal(again.body.result, 'tensor(-31.)');
  });

  it('breakpoints on line 0, negative lines and past the end stay unverified with a reason; comment lines move', async () => {
    await dc.initializeRequest({ adapterID: 'backprop', pathFormat: 'path' });
    const launched = dc.launchRequest({ program: EXERCISE, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments);
    await dc.configurationDoneRequest();
    await launched;
    const r = await dc.setBreakpointsRequest({
      source: { path: EXERCISE },
      breakpoints: [{ line: 0 }, { line: -1 }, { line: 999 }, { line: 2 }, { line: 11 }],
    });
    const bps = r.body.breakpoints;
    assert.equal(bps[0].verified, false);
    assert.match(bps[0].message ?? '', /lines start at 1/);
    assert.equal(bps[1].verified, false);
    assert.match(bps[2].message ?? '', /past the end of the file \(20 lines\)/);
    assert.equal(bps[3].verified, true);
    assert.equal(bps[3].line, 8);
    assert.equal(bps[4].verified, true);
    assert.equal(bps[4].line, 11);
  });
});
