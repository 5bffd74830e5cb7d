import { XMLParser } from 'fast-xml-parser';
import { evmAddress, uniqueByAddress, type ListedAddress } from './entry.js';

type XmlNode = Record<string, unknown>;

const REPEATED = new Set([
  'FeatureType',
  'DistinctParty',
  'Profile',
  'Identity',
  'Alias',
  'DocumentedName',
  'DocumentedNamePart',
  'NamePartValue',
  'Feature',
  'FeatureVersion',
  'VersionDetail',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  // Keep every value a string: "0x..." must not become a number.
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  isArray: (name) => REPEATED.has(name),
});

const list = (value: unknown): XmlNode[] => (Array.isArray(value) ? (value as XmlNode[]) : []);
const text = (node: unknown): string =>
  typeof node === 'string'
    ? node
    : typeof node === 'object' && node
      ? String((node as XmlNode)['#text'] ?? '')
      : '';

/**
 * Reads OFAC's SDN advanced XML (sdn_advanced.xml): the feature types named "Digital Currency Address - XXX" give
 * the ids of the features whose VersionDetail holds an address; the party's primary alias gives the entity name.
 * The XML is parsed without DTDs or external entities.
 */
export function parseOfacSdnXml(content: string): ListedAddress[] {
  const root = (parser.parse(content) as XmlNode).Sanctions as XmlNode | undefined;
  if (!root) throw new Error('SDN advanced XML: no <Sanctions> root element');
  const featureTypes = list(
    ((root.ReferenceValueSets as XmlNode | undefined)?.FeatureTypeValues as XmlNode | undefined)?.FeatureType,
  );
  const addressFeatureIds = new Set(
    featureTypes
      .filter((t) => text(t).startsWith('Digital Currency Address - '))
      .map((t) => String(t['@ID'])),
  );
  const entries: ListedAddress[] = [];
  for (const party of list((root.DistinctParties as XmlNode | undefined)?.DistinctParty)) {
    for (const profile of list(party.Profile)) {
      const entity = primaryName(profile) || `OFAC party ${String(party['@FixedRef'] ?? '')}`.trim();
      for (const feature of list(profile.Feature)) {
        if (!addressFeatureIds.has(String(feature['@FeatureTypeID']))) continue;
        for (const version of list(feature.FeatureVersion)) {
          for (const detail of list(version.VersionDetail)) {
            const address = evmAddress(text(detail));
            if (address) entries.push({ address, entity });
          }
        }
      }
    }
  }
  return uniqueByAddress(entries);
}

function primaryName(profile: XmlNode): string {
  for (const identity of list(profile.Identity)) {
    const alias = list(identity.Alias).find((a) => a['@Primary'] === 'true');
    const parts = list(list(alias?.DocumentedName)[0]?.DocumentedNamePart);
    const name = parts.flatMap((part) => list(part.NamePartValue).map(text)).join(' ');
    if (name) return name;
  }
  return '';
}
