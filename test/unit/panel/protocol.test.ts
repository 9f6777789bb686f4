/**
 * The panel's protocol: every message from the page is checked (fixed set of
 * types, every field for type and range, no unknown fields) and anything
 * else is dropped with a reason, never thrown; NaN and infinities survive
 * the JSON trip that VS Code's postMessage makes.
 */
import { strict as assert } from 'node:assert';
import {
  decodeNum,
  encodeNum,
  lastPosition,
  parseHostMessage,
  parseWebviewMessage,
  WEBVIEW_MESSAGE_TYPES,
  type HostMessage,
  type WebviewLimits,
} from '../../../src/protocol/messages';
import { buildGraphView, runForPanel } from '../../../src/session/graph-view';
import { EXERCISE } from './scripts';

const LIMITS: WebviewLimits = { nodes: 12, positions: 18, calls: 2 };

function rejected(raw: unknown, limits = LIMITS): string {
  const r = parseWebviewMessage(raw, limits);
  if (r.ok) assert.fail(`accepted ${JSON.stringify(r.value)}`);
  return r.ok ? '' : r.reason;
}

/** The JSON round trip VS Code makes of every webview message. */
function overTheWire<T>(m: T): unknown {
  return JSON.parse(JSON.stringify(m));
}

describe('panel protocol', () => {
  describe('numbers', () => {
    it('encodes NaN and the infinities as strings and decodes them back', () => {
      for (const x of [0, -0, 1.5, -31, 1e308, -1e-300]) assert.equal(encodeNum(x), x);
      assert.equal(encodeNum(NaN), 'NaN');
      assert.equal(encodeNum(Infinity), 'Infinity');
      assert.equal(encodeNum(-Infinity), '-Infinity');
      for (const x of [NaN, Infinity, -Infinity, 2.5]) assert.ok(Object.is(decodeNum(encodeNum(x)), x));
      // What postMessage would have done without the encoding:
      assert.deepEqual(overTheWire([NaN, Infinity]), [null, null]);
      assert.deepEqual(overTheWire([encodeNum(NaN), encodeNum(-Infinity)]), ['NaN', '-Infinity']);
    });
  });

  describe('page → host: good messages', () => {
    it('accepts each message type with valid fields', () => {
      const good = [
        { type: 'ready', id: 1 },
        { type: 'step', index: 0 },
        { type: 'step', index: 18 },
        { type: 'select', id: 7, node: 11 },
        { type: 'pickCall', id: 2, call: 1 },
        { type: 'rerun', id: 2 ** 31 - 1 },
        { type: 'drill', id: 3, node: 4 },
        { type: 'export', id: 4, format: 'svg', data: '<svg xmlns="http://www.w3.org/2000/svg"></svg>' },
        { type: 'export', id: 5, format: 'png', data: 'iVBORw0KGgo=' },
        { type: 'exportFrames', id: 6, frames: ['<svg/>', '<svg/>'] },
        { type: 'copy', id: 7, text: '\\frac{\\partial L}{\\partial w_1}' },
      ];
      for (const m of good) {
        const r = parseWebviewMessage(overTheWire(m), LIMITS);
        assert.ok(r.ok, `${JSON.stringify(m)}: ${r.ok ? '' : r.reason}`);
        assert.deepEqual(r.value, m);
      }
      assert.deepEqual(
        [...WEBVIEW_MESSAGE_TYPES].sort(),
        [...new Set(good.map((m) => m.type))].sort(),
        'every message type is covered here',
      );
    });
  });

  describe('page → host: bad messages are dropped with a reason (robustness.md)', () => {
    it('null, a string, a number, an array, {}', () => {
      assert.match(rejected(null), /null/);
      assert.match(rejected('x'), /string/);
      assert.match(rejected(42), /number/);
      assert.match(rejected([{ type: 'ready', id: 1 }]), /array/);
      assert.match(rejected({}), /type/);
      assert.match(rejected(undefined), /undefined/);
    });

    it('unknown types, and types that are not strings', () => {
      for (const type of ['readyy', 'READY', 'executeCommand', '__proto__', 'constructor', 'toString', ''])
        assert.match(rejected({ type, id: 1 }), /unknown message type/);
      assert.match(rejected({ type: 1 }), /type/);
      assert.match(rejected({ type: ['ready'] }), /type/);
    });

    it('{type: step, index: -1 | 1e308 | NaN | 1.5 | "3" | past the last position}', () => {
      for (const index of [-1, 1e308, NaN, Infinity, 1.5, '3', null, 19])
        assert.match(rejected({ type: 'step', index }), /step\.index/);
      // NaN as it arrives over the wire (null):
      assert.match(rejected(overTheWire({ type: 'step', index: NaN })), /step\.index/);
    });

    it('node and call indices out of the current view, request ids out of range', () => {
      assert.match(rejected({ type: 'select', id: 1, node: 12 }), /select\.node/);
      assert.match(rejected({ type: 'select', id: 1, node: -1 }), /select\.node/);
      assert.match(rejected({ type: 'pickCall', id: 1, call: 2 }), /pickCall\.call/);
      assert.match(
        rejected({ type: 'pickCall', id: 1, call: 0 }, { nodes: 0, positions: 0, calls: 0 }),
        /pickCall\.call/,
      );
      assert.match(rejected({ type: 'ready', id: -1 }), /ready\.id/);
      assert.match(rejected({ type: 'ready', id: 2 ** 31 }), /ready\.id/);
      assert.match(rejected({ type: 'ready' }), /missing id/);
      // Before any view: no node can be selected.
      assert.match(rejected({ type: 'select', id: 1, node: 0 }, { nodes: 0, positions: 0, calls: 0 }), /select\.node/);
    });

    it('extra fields, and fields meant for somewhere else (a command, a path)', () => {
      assert.match(rejected({ type: 'ready', id: 1, command: 'workbench.action.terminal.new' }), /too many fields/);
      assert.match(rejected({ type: 'select', id: 1, path: '/etc/passwd' }), /unknown field "path"/);
      assert.match(rejected({ type: 'select', id: 1, node: 1, path: '/etc/passwd' }), /too many fields/);
      assert.match(rejected(JSON.parse('{"type":"ready","__proto__":{"polluted":true}}')), /unknown field "__proto__"/);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    it('huge bodies: a 50 MB string, a million fields, a deep nest', function () {
      this.timeout(20_000);
      const big = 'x'.repeat(50 * 1024 * 1024);
      let t0 = Date.now();
      assert.match(rejected({ type: 'step', index: big }), /step\.index/);
      assert.match(rejected({ type: big }), /unknown message type/);
      assert.match(rejected({ type: 'ready', id: 1, pad: big }), /too many fields|unknown field/);
      assert.ok(Date.now() - t0 < 1000, 'a huge string is rejected without being scanned');
      const wide: Record<string, number> = { type: 0 } as unknown as Record<string, number>;
      for (let i = 0; i < 1_000_000; i++) wide[`k${i}`] = i;
      (wide as Record<string, unknown>).type = 'ready';
      t0 = Date.now();
      assert.match(rejected(wide), /too many fields|unknown field/);
      assert.ok(Date.now() - t0 < 2000);
      let deep: unknown = 1;
      for (let i = 0; i < 100_000; i++) deep = { a: deep };
      assert.match(rejected({ type: 'ready', id: deep }), /ready\.id/);
    });

    it('objects that are not plain data: throwing getters, proxies, class instances', () => {
      const getter = {
        type: 'ready',
        get id(): number {
          throw new Error('boom');
        },
      };
      assert.match(rejected(getter), /unreadable/);
      const proxy = new Proxy(
        {},
        {
          get: () => {
            throw new Error('trap');
          },
          ownKeys: () => {
            throw new Error('trap');
          },
        },
      );
      assert.match(rejected(proxy), /unreadable|type/);
      class Msg {
        type = 'ready';
        id = 1;
      }
      assert.match(rejected(new Msg()), /plain object/);
    });

    it('drill, export, frames and copy: indices, formats and sizes checked', () => {
      assert.match(rejected({ type: 'drill', id: 1, node: 12 }), /drill\.node/);
      assert.match(rejected({ type: 'export', id: 1, format: 'pdf', data: '' }), /export\.format/);
      assert.match(rejected({ type: 'export', id: 1, format: 'png', data: '<svg/>' }), /base64/);
      assert.match(rejected({ type: 'export', id: 1, format: 'svg', data: 5 }), /export\.data/);
      assert.match(
        rejected({ type: 'export', id: 1, format: 'svg', data: '', path: '/etc/passwd' }),
        /too many fields/,
      );
      assert.match(rejected({ type: 'exportFrames', id: 1, frames: [] }), /no frames/);
      assert.match(rejected({ type: 'exportFrames', id: 1, frames: ['<svg/>', 3] }), /frames\[1\]/);
      assert.match(rejected({ type: 'exportFrames', id: 1, frames: 'x' }), /not an array/);
      assert.match(rejected({ type: 'copy', id: 1, text: 'x'.repeat(100_001) }), /copy\.text/);
    });

    it('a thousand bad messages in a row: each is dropped, none throws', () => {
      const t0 = Date.now();
      for (let i = 0; i < 1000; i++) rejected({ type: 'step', index: -i - 1 });
      assert.ok(Date.now() - t0 < 500);
    });
  });

  describe('host → page', () => {
    const view = buildGraphView(runForPanel(EXERCISE), { title: 'exercise_chain_rule.py' });

    it('a real view survives the JSON trip and the page accepts it unchanged', () => {
      const m: HostMessage = { type: 'view', replyTo: 1, view, position: null };
      const r = parseHostMessage(overTheWire(m));
      assert.ok(r.ok, r.ok ? '' : r.reason);
      assert.deepEqual(r.value, overTheWire(m));
    });

    it('NaN and inf in a view arrive as NaN and inf', () => {
      const v = buildGraphView(
        runForPanel(
          'import torch\na = torch.tensor(0.0, requires_grad=True)\nl = torch.log(a)\nz = a / a\nloss = l + z\nloss.backward()\n',
        ),
      );
      const r = parseHostMessage(overTheWire({ type: 'view', replyTo: null, view: v, position: null }));
      assert.ok(r.ok, r.ok ? '' : r.reason);
      assert.ok(r.ok && r.value.type === 'view');
      const nodes = r.ok && r.value.type === 'view' ? r.value.view.nodes : [];
      const byLabel = new Map(nodes.map((n) => [n.label, n]));
      assert.equal(byLabel.get('l')?.value.scalar, '-Infinity');
      assert.equal(byLabel.get('l')?.value.text, '-inf');
      assert.equal(byLabel.get('z')?.value.scalar, 'NaN');
      assert.equal(byLabel.get('a')?.grad?.text, 'nan');
    });

    it('rejects views that do not hang together, and unknown host messages', () => {
      const bad = (mutate: (v: Record<string, unknown>) => void): string => {
        const v = overTheWire(view) as Record<string, unknown>;
        mutate(v);
        const r = parseHostMessage({ type: 'view', replyTo: null, view: v, position: null });
        assert.equal(r.ok, false);
        return r.ok ? '' : r.reason;
      };
      assert.match(
        bad((v) => ((v.edges as { from: number }[])[0].from = 99)),
        /edges\[0\]\.from/,
      );
      assert.match(
        bad((v) => ((v.nodes as { x: unknown }[])[0].x = null)),
        /nodes\[0\]\.x/,
      );
      assert.match(
        bad((v) => ((v.nodes as { kind: unknown }[])[0].kind = 'script')),
        /kind/,
      );
      assert.match(
        bad((v) => ((v.nodes as { label: unknown }[])[0].label = 5)),
        /label/,
      );
      assert.match(
        bad((v) => ((v.steps as { node: number }[])[0].node = -1)),
        /steps\[0\]\.node/,
      );
      assert.match(
        bad((v) => ((v.nodes as { value: { scalar: unknown } }[])[0].value.scalar = null)),
        /scalar/,
      );
      assert.match(
        bad((v) => (v.extra = 1)),
        /too many fields|unknown field/,
      );
      assert.match(
        bad((v) => delete v.title),
        /missing title/,
      );
      const group = { kind: 'line', label: 'line 14', range: null, parent: -1, first: 0, last: 3 };
      assert.match(
        bad((v) => (v.groups = [group, { ...group, parent: 0, first: 2, last: 5 }])),
        /outside its parent/,
      );
      assert.match(
        bad((v) => (v.groups = [{ ...group, parent: 0 }])),
        /groups\[0\]\.parent/,
      );
      assert.match(
        bad((v) => (v.groups = [{ ...group, first: 4, last: 3 }])),
        /groups\[0\]\.last/,
      );
      assert.match(
        bad((v) => ((v.nodes as { drill?: unknown }[])[0].drill = false)),
        /drill/,
      );
      const pos = parseHostMessage({
        type: 'view',
        replyTo: null,
        view: overTheWire(view),
        position: lastPosition(view) + 1,
      });
      assert.equal(pos.ok, false);
      for (const m of [
        null,
        'x',
        {},
        { type: 'html', html: '<b>' },
        { type: 'reply', replyTo: 1, ok: 'yes', message: '' },
      ])
        assert.equal(parseHostMessage(m).ok, false);
      assert.ok(parseHostMessage({ type: 'gone', message: 'The script is gone.' }).ok);
      assert.ok(parseHostMessage({ type: 'command', name: 'exportSvg' }).ok);
      assert.equal(parseHostMessage({ type: 'command', name: 'workbench.action.quit' }).ok, false);
      assert.ok(parseHostMessage({ type: 'cursor', line: 14 }).ok);
      assert.ok(parseHostMessage({ type: 'cursor', line: null }).ok);
      assert.equal(parseHostMessage({ type: 'cursor', line: 0 }).ok, false);
      assert.ok(parseHostMessage(overTheWire({ type: 'drillView', replyTo: 2, node: 3, view })).ok);
      assert.equal(parseHostMessage({ type: 'drillView', replyTo: 2, node: 3, view: {} }).ok, false);
      assert.ok(parseHostMessage({ type: 'reply', replyTo: 3, ok: false, message: 'no' }).ok);
    });
  });
});
