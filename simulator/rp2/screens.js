// screens.js: which of the watch's screens the OLED shows, read from its pixels.
//
// The unix sim's board names each screen it shows; on the Pico nothing but the
// pixels comes out, so a screen is told by a mark the firmware draws on it
// alone (a text at a place, or the running screen's progress bar).  The marks
// are data made on the host from the firmware's own texts and the font
// (runcue_host sim rp2), so this file knows no screen by heart.
// A mark: {name, x, y, rows: ["01?..", ...]}: '1' lit, '0' dark, '?' either.
export function recognise(display, marks) {
  for (const mark of marks) {
    if (matches(display, mark)) return mark.name;
  }
  return '';
}

function matches(display, mark) {
  for (let dy = 0; dy < mark.rows.length; dy++) {
    const row = mark.rows[dy];
    for (let dx = 0; dx < row.length; dx++) {
      const want = row.charCodeAt(dx);
      if (want === 63) continue; // '?'
      if (display.pixel(mark.x + dx, mark.y + dy) !== want - 48) return false;
    }
  }
  return true;
}
