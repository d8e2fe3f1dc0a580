# Reading Shunt's screen console back for the system tests, OCR-free: a VGA text buffer (saved
# from guest memory) is read as characters; a framebuffer screendump (PPM) is cut into 8x16
# cells, each matched bit for bit against the glyphs of the font the build converted
# (build/font/screen_font.bin). Both give text rows, compared with the rows the serial log
# says the screen must show.
"""Screen console decoding for tests/system/run-all (scenario field `screen`)."""

FIRST, COUNT, WIDTH, HEIGHT = 0x20, 95, 8, 16
COLS_MAX, ROWS_MAX, TAB = 256, 128, 8  # hv/screen.h
TEXT_COLS, TEXT_ROWS = 80, 25


def text_rows(data, cols=TEXT_COLS, rows=TEXT_ROWS):
    """A VGA text buffer (character, attribute pairs) as rows of text."""
    return ["".join(chr(data[(r * cols + c) * 2]) if 0x20 <= data[(r * cols + c) * 2] < 0x7f
                    else "?" for c in range(cols)) for r in range(rows)]


def read_ppm(data):
    """(width, height, RGB bytes) of a binary PPM (P6, maxval 255), as QEMU's screendump."""
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError("not a P6 PPM with maxval 255")
    width, height = int(fields[1]), int(fields[2])
    return width, height, data[pos + 1:pos + 1 + width * height * 3]


def framebuffer_rows(ppm, font):
    """The text a framebuffer shows: every 8x16 cell whose lit pixels (any not black) equal
    a glyph of font (95 x 16 bytes) reads as that character, any other cell as '?'."""
    width, height, pixels = read_ppm(ppm)
    glyphs = {font[i * HEIGHT:(i + 1) * HEIGHT]: chr(FIRST + i) for i in range(COUNT)}
    cols, rows = min(width // WIDTH, COLS_MAX), min(height // HEIGHT, ROWS_MAX)
    lit = bytes(1 if any(pixels[i:i + 3]) else 0 for i in range(0, len(pixels), 3))
    out = []
    for r in range(rows):
        line = []
        for c in range(cols):
            cell = bytearray(HEIGHT)
            for y in range(HEIGHT):
                at = (r * HEIGHT + y) * width + c * WIDTH
                bits = 0
                for x in range(WIDTH):
                    bits = bits << 1 | lit[at + x]
                cell[y] = bits
            line.append(glyphs.get(bytes(cell), "?"))
        out.append("".join(line))
    return out


def expected_rows(serial_text, first_line_rx, cols, rows):
    """The rows a screen of cols x rows must show at the end of serial_text, given that Shunt
    cleared it just before printing its first line (the one first_line_rx matches, which the
    banner's leading newline puts on the second row)."""
    lines = serial_text.split("\n")
    start = next(i for i, line in enumerate(lines) if first_line_rx.search(line))
    grid = [""]
    for line in lines[start:]:
        row = ""
        for ch in line:
            if len(row) == cols:
                grid.append(row)
                row = ""
            if ch == "\t":
                row += " " * (TAB - len(row) % TAB)
                row = row[:cols]
            else:
                row += ch if " " <= ch <= "~" else "?"
        grid.append(row)
    return grid[-rows:]


def compare(shown, expected):
    """Problems (empty when none) of the shown rows against the expected ones."""
    shown = [r.rstrip() for r in shown][:len(expected)]
    expected = [r.rstrip() for r in expected]
    for i, (got, want) in enumerate(zip(shown, expected)):
        if got != want:
            return [f"screen row {i}: {got!r}, expected {want!r}"]
    if len(shown) < len(expected):
        return [f"the screen has {len(shown)} rows, expected {len(expected)}"]
    return []
