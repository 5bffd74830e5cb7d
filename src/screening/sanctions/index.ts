// Sanctions and deny lists: OFAC SDN (CSV and advanced XML), custom lists, versioned by content hash.
export { LIST_FORMATS, detectListFormat, parseList, type ListFormat } from './parse.js';
export { type ListedAddress } from './entry.js';
export { loadSanctionsList, type ListVersion, type LoadListParameters, type LoadedList } from './store.js';
