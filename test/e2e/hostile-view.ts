/**
 * A view in which the parameter w1 of the course exercise is renamed to a
 * hostile string (markup, an event handler): in its node, its LaTeX name,
 * the chain-rule lines that name it, and the title. The page tests check
 * that it is shown, typeset and exported as text, never run as markup.
 */
import type { GraphViewDTO } from '../../src/protocol/messages';
import { texName } from '../../src/session/tex';

export function withHostileParameter(v: GraphViewDTO, evil: string): GraphViewDTO {
  const w1 = v.nodes.findIndex((n) => n.label === 'w1');
  if (w1 < 0) throw new Error('the view has no w1');
  return {
    ...v,
    title: evil,
    nodes: v.nodes.map((n, i) => (i === w1 ? { ...n, label: evil, tex: texName(evil) } : n)),
    steps: v.steps.map((s) => ({
      ...s,
      inputs: s.inputs.map((inp) =>
        inp.input === w1
          ? {
              ...inp,
              formula: {
                text: inp.formula.text.replace('∂w1', `∂${evil}`),
                latex: inp.formula.latex.replace('\\partial w_1}', `\\partial ${texName(evil)}}`),
              },
            }
          : inp,
      ),
    })),
  };
}
