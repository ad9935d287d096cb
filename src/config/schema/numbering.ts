/**
 * The `numbering` section: how dialled and presented numbers become E.164.
 *
 * @example
 *   numberingSchema.parse({ country_code: '49' });
 *   // { country_code: '49', international_prefix: '00', national_prefix: '0', national_number_lengths: [] }
 */
import * as z from 'zod';
import { integer, mapping, patternString } from './primitives.js';

export const numberingSchema = mapping(
  {
    country_code: patternString(
      /^[1-9][0-9]{0,2}$/,
      (v) => `${JSON.stringify(v)} is not a country calling code; write 1 to 3 digits without "+", e.g. "1" or "49"`,
    ).describe('The country calling code numbers without one belong to, e.g. "1" (NANP) or "49" (Germany).'),
    international_prefix: patternString(
      /^[0-9]{1,4}$/,
      (v) => `${JSON.stringify(v)} is not an international prefix; write 1 to 4 digits, e.g. "00" or "011"`,
    )
      .default('00')
      .describe('Digits dialled before a country code, replaced by "+", e.g. "00" (most of the world) or "011" (NANP).'),
    national_prefix: patternString(
      /^[0-9]{0,4}$/,
      (v) => `${JSON.stringify(v)} is not a national prefix; write up to 4 digits, e.g. "0", "1", or "" for none`,
    )
      .default('0')
      .describe('Digits dialled before a national number, replaced by "+" and the country code, e.g. "0" or "1" (NANP). "" for none.'),
    national_number_lengths: z
      .array(integer('A digit count.', 1, 15))
      .prefault([])
      .describe(
        'Lengths of national numbers dialled without any prefix, which get "+" and the country code (NANP: [10]). When set, the national prefix also applies only when the rest has one of these lengths.',
      ),
  },
  'How numbers are normalised to E.164 before rules match them. Without this section numbers are only cleaned (spaces, dashes, dots and brackets removed).',
);
