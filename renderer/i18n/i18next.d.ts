import type { Catalog } from './resources';

// Keys are checked at compile time against the English catalog: a misspelt key is a type error, not a raw key on screen.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'common';
    resources: Catalog;
    strictKeyChecks: true;
  }
}
