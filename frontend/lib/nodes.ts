import type { NodeName } from "./types";

/** The three Text Service nodes and where the story places them. */
export const NODES: { name: NodeName; location: string }[] = [
  { name: "a", location: "Москва" },
  { name: "b", location: "Санкт-Петербург" },
  { name: "c", location: "Новосибирск" },
];

export function nodeLabel(name: string): string {
  const node = NODES.find((candidate) => candidate.name === name);
  return node ? `${node.location} (${name})` : name;
}
