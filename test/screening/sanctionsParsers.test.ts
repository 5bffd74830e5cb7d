import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { detectListFormat, parseList } from '../../src/screening/index.js';

const fixture = (name: string) => readFileSync(path.join('test', 'fixtures', name), 'utf8');

describe('sanctions list parsers', () => {
  it('reads the EVM digital currency addresses from OFAC SDN.CSV remarks', () => {
    const content = fixture('ofac/sdn.csv');
    assert.equal(detectListFormat(content), 'ofac-sdn-csv');
    assert.deepEqual(parseList('ofac-sdn-csv', content, 'ofac-sdn'), [
      { address: '0x5ae4b1b3b6a0e24b2c4f0e2db7de0c1ba9e8d7c6', entity: 'SAMPLE MIXER SERVICE' },
      { address: '0x1111111111111111111111111111111111111111', entity: 'SAMPLE MIXER SERVICE' },
      { address: '0x9c2fc4fc75fa2d7eb5ba9147fa7430756654faa9', entity: 'SAMPLE MIXER SERVICE' },
    ]);
  });

  it('reads the same from the SDN advanced XML, with primary names', () => {
    const content = fixture('ofac/sdn_advanced.xml');
    assert.equal(detectListFormat(content), 'ofac-sdn-xml');
    assert.deepEqual(parseList('ofac-sdn-xml', content, 'ofac-sdn'), [
      { address: '0x5ae4b1b3b6a0e24b2c4f0e2db7de0c1ba9e8d7c6', entity: 'SAMPLE MIXER SERVICE' },
      { address: '0x9c2fc4fc75fa2d7eb5ba9147fa7430756654faa9', entity: 'SAMPLE MIXER SERVICE' },
      { address: '0x2222222222222222222222222222222222222222', entity: 'DOE John' },
    ]);
  });

  it('refuses XML that is not an SDN file, and XML with external entities', () => {
    assert.throws(() => parseList('ofac-sdn-xml', '<Other/>', 'x'), /no <Sanctions> root element/);
    const withEntity =
      '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><Sanctions><ReferenceValueSets/></Sanctions>';
    assert.throws(() => parseList('ofac-sdn-xml', withEntity, 'x'), /External entities are not supported/);
  });

  it('reads a custom deny list and names a bad line', () => {
    const content = fixture('deny-list.txt');
    assert.equal(detectListFormat(content), 'custom');
    assert.deepEqual(parseList('custom', content, 'internal'), [
      { address: '0x3333333333333333333333333333333333333333', entity: 'internal fraud case 2026-114' },
      { address: '0x4444444444444444444444444444444444444444', entity: 'internal' },
    ]);
    assert.throws(
      () => parseList('custom', '0x3333333333333333333333333333333333333333\nbc1qnotevm\n', 'x'),
      /line 2: "bc1qnotevm" is not an EVM address/,
    );
  });

  it('names a malformed SDN CSV row', () => {
    assert.throws(() => parseList('ofac-sdn-csv', '1,"A",-0- \n', 'x'), /row 1 has 3 columns, expected 12/);
  });
});
