/**
 * The bounds that keep netpol quick and within memory on any input, hostile or mistaken. Each one is far above what a
 * real cluster produces, and each is named in the message of the input that exceeds it.
 */

/**
 * The most bytes netpol reads in one run, all files and standard input together. `kubectl get pods -A -o yaml` for
 * 10,000 pods is about 60 MiB; parsed, input takes several times its size in memory, so this keeps a run well inside
 * Node's heap.
 */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

/**
 * The deepest nesting of mappings and lists in one YAML or JSON document. A Pod is about 10 levels deep, a List of them
 * 12; only a hostile file nests further, and deeper nesting would exhaust the parser's stack.
 */
export const MAX_NESTING = 100;

/**
 * Excessive aliasing, as Kubernetes' own YAML decoding (go-yaml) defines it, so that netpol accepts what the API server
 * accepts. A document may draw at most this share of its nodes from alias expansion: 99% up to 400,000 nodes, falling
 * to 10% at 4,000,000 and beyond. This bounds a "billion laughs" document (a few hundred bytes whose aliases expand
 * to billions of nodes) to a few hundred thousand expanded nodes.
 */
export function allowedAliasRatio(nodes: number): number {
    const low = 400_000;
    const high = 4_000_000;
    if (nodes <= low) return 0.99;
    if (nodes >= high) return 0.1;
    return 0.99 - 0.89 * ((nodes - low) / (high - low));
}

/** go-yaml checks the ratio only past these counts: small documents may alias as they like. */
export const ALIAS_CHECK_FLOOR = { aliases: 100, nodes: 1000 };

/**
 * The most cells (sources times destination ports) `matrix` prints. 2,000 pods declaring two ports each are 8 million;
 * past this, the output alone would be gigabytes, which no one reads: narrow it, or `check` the flows that matter.
 */
export const MAX_MATRIX_CELLS = 20_000_000;

/** The most workloads an SVG picture draws: past this the boxes and arrows are too many to follow. */
export const MAX_SVG_ENDPOINTS = 200;
