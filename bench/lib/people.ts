/**
 * Believable people for seeding: international first and last names, combined at random, with
 * emails and usernames in the shapes companies use. Deterministic for a given seed, so that two
 * runs measure the same data.
 */

/** mulberry32: small, fast and good enough to spread test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(random: () => number, list: readonly T[]): T =>
  list[Math.floor(random() * list.length)]!;

/** Index into `weights` chosen with probability proportional to each weight. */
export function weighted(random: () => number, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let x = random() * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i]!;
    if (x < 0) return i;
  }
  return weights.length - 1;
}

export const FIRST_NAMES: readonly string[] = `
  Aaliyah Aaron Abdul Ada Adrian Agnieszka Ahmed Aiko Alejandro Alex Alice Amara Amelia Ana Andrea
  Andreas Anna Anton Aria Arjun Astrid Ben Bianca Bo Boris Camila Carlos Catherine Chen Chloe Chris
  Daniel Daniela David Diego Dmitri Elena Eli Elif Emily Emma Erik Esther Fatima Felix Fernando Freya
  Gabriel Giulia Grace Hana Hannah Hans Hiroshi Ines Ingrid Isabel Ivan Jack James Jana Javier
  Jennifer João Johan Jonas José Julia Kai Karin Katarzyna Kenji Kevin Lars Laura Lea Leon Liam Lina
  Lucas Lucía Luis Luka Maja Malik Manuel Marco Margaret Maria Marie Mark Marta Martin Mateo Matteo
  Matthew Maya Mehmet Mei Mia Michael Miguel Mohammed Nadia Noah Nora Olga Olivia Omar Oscar Paul
  Pedro Peter Priya Rafael Rahul Ravi Rosa Sakura Samuel Sara Sofia Sophie Stefan Sven Tariq Thomas
  Tomás Uma Valentina Victor Wei William Yara Yusuf Zoe Zofia
`
  .trim()
  .split(/\s+/);

export const LAST_NAMES: readonly string[] = `
  Abadi Adams Ahmed Alvarez Andersen Anderson Bauer Becker Bianchi Brown Castro Chen Clark Costa Cruz
  Dahl Davies Díaz Dubois Edwards Eriksson Evans Fernández Ferrari Fischer Fontaine García Gomez
  González Green Gupta Hall Hansen Hernández Hoffmann Horvat Huang Ivanov Jackson Jansen Johansson
  Johnson Jones Kaur Kim King Klein Kowalski Kumar Larsen Laurent Lee Lewis Li Lindqvist Liu Lopez
  Martin Martínez Meyer Miller Moore Moreau Morales Müller Murphy Nakamura Nguyen Nielsen Novák Nowak
  O’Brien Oliveira Olsen Park Patel Pereira Petrov Popescu Quinn Ramírez Reyes Richter Rivera Roberts
  Rodríguez Romano Rossi Russo Sánchez Santos Sato Schmidt Schneider Schulz Silva Singh Smith Sousa
  Suzuki Svensson Tanaka Taylor Thomas Thompson Torres Tran Turner Vargas Wagner Walker Wang Weber
  White Williams Wilson Wong Wright Wu Yamamoto Yilmaz Young Zhang Zhou Zimmermann
`
  .trim()
  .split(/\s+/);

/** Letters only, no accents: what an email's local part is made of. */
export function asciiPart(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

/** The shapes of a local part: `maria.garcia`, `m.garcia`, `mgarcia`, `maria_garcia`, `garcia.maria`. */
export function localPart(random: () => number, first: string, last: string): string {
  const f = asciiPart(first);
  const l = asciiPart(last);
  const shape = weighted(random, [50, 20, 12, 8, 10]);
  switch (shape) {
    case 0:
      return `${f}.${l}`;
    case 1:
      return `${f[0]}.${l}`;
    case 2:
      return `${f[0]}${l}`;
    case 3:
      return `${f}_${l}`;
    default:
      return `${l}.${f}`;
  }
}

/** Hands out unique local parts: the first `maria.garcia`, then `maria.garcia2`, `maria.garcia3`… */
export class UniqueNames {
  readonly #seen = new Map<string, number>();
  take(base: string): string {
    const n = (this.#seen.get(base) ?? 0) + 1;
    this.#seen.set(base, n);
    return n === 1 ? base : `${base}${n}`;
  }
}
