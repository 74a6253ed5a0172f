// Decodes CAN frames with candied (an independent DBC decoder) for can/crosscheck_test.cc.
// Usage: node decode.js DBC FRAMES. FRAMES has one frame per line: "<DBC id> <payload hex>", the
// DBC id with bit 31 set for extended frames as in the DBC file. Prints one line per signal of
// the frame's message: "<frame index>\t<signal>\t<physical value>\t<label or empty>".
//
// Two things candied does not do are done here from candied's own bit extraction:
// - candied's decode() compares the DBC's DLC with the frame's, and its grammar reads only one
//   DLC digit (a 64-byte CAN FD message parses as 6), so each signal goes through decodeSignal().
// - candied treats SIG_VALTYPE_ float/double signals as scaled integers (its bits are right, its
//   value is not), so for those the bits candied extracts are read as an IEEE float, then scaled.
// - candied reads a Motorola start bit as the signal's least significant bit (the way CANdb++
//   shows it), while the file format stores the most significant bit (Vector's DBC, cantools,
//   opendbc), so Motorola start bits are converted to candied's reading after loading.
// candied clamps values to [min|max]; the test only sends frames whose values are in range.
'use strict';
const fs = require('fs');
const { Dbc, Can } = require('candied');

const [dbcPath, framesPath] = process.argv.slice(2);
const dbc = new Dbc();
const data = dbc.load(fs.readFileSync(dbcPath, 'utf8'));
if (dbc.errors.size > 0) {
  for (const [line, errs] of dbc.errors) console.error(`${dbcPath}:${line}: candied: ${errs}`);
  process.exit(1);
}
// MSB in sawtooth numbering -> LSB in sawtooth numbering.
function motorolaLsb(startBit, length) {
  const msbLinear = Math.floor(startBit / 8) * 8 + (7 - (startBit % 8));
  const lsbLinear = msbLinear + length - 1;
  return Math.floor(lsbLinear / 8) * 8 + (7 - (lsbLinear % 8));
}
for (const message of data.messages.values()) {
  for (const signal of message.signals.values()) {
    if (signal.endian === 'Motorola') signal.startBit = motorolaLsb(signal.startBit, signal.length);
  }
}
const can = new Can();
can.database = data;
const byId = new Map();
for (const message of data.messages.values()) byId.set(message.id, message);

function floatValue(payload, signal) {
  const bits = can.extractBitRange(can.payload2Binary(payload, signal.endian), signal.startBit,
                                   signal.length, signal.endian).join('');
  const view = new DataView(new ArrayBuffer(8));
  if (signal.length === 32) {
    view.setUint32(0, parseInt(bits, 2));
    return view.getFloat32(0);
  }
  view.setBigUint64(0, BigInt('0b' + bits));
  return view.getFloat64(0);
}

const out = [];
const lines = fs.readFileSync(framesPath, 'utf8').split('\n');
lines.forEach((line, index) => {
  if (line.trim() === '') return;
  const [idText, hex] = line.trim().split(/\s+/);
  const message = byId.get(Number(idText));
  if (!message) {
    out.push(`${index}\t-\tunknown\t`);
    return;
  }
  const payload = [];
  for (let i = 0; i < (hex || '').length; i += 2) payload.push(parseInt(hex.substr(i, 2), 16));
  for (const signal of message.signals.values()) {
    let value;
    let label = '';
    if (signal.dataType === 'float' || signal.dataType === 'double') {
      value = floatValue(payload, signal) * signal.factor + signal.offset;
    } else {
      const bound = can.decodeSignal(payload, signal);
      value = bound.value;
      if (signal.valueTable && signal.valueTable.get(value) !== undefined) {
        label = bound.physValue;
      }
    }
    out.push(`${index}\t${signal.name}\t${String(value)}\t${label}`);
  }
});
process.stdout.write(out.join('\n') + '\n');
