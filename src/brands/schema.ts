// Migration 0013 adds brands.colour; declared here beside the feature that owns it.
declare module '../db/schema.js' {
  interface BrandsTable {
    /** `#rrggbb`, or null for the desk's own colours. */
    colour: string | null;
  }
}

export {};
