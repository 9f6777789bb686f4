/**
 * The graph panel's page script. The panel arrives with the graph-panel
 * issue; this entry exists so the bundle and its CSP-checked loading path
 * are in place. It renders nothing and computes nothing.
 */
export {};
