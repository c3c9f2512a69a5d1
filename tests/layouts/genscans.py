"""Scans of the layout generator's PDFs: what a photocopied, signed report
looks like once a township office has put it online.

scan_pdf(pdf, out, o) renders each page with pdftoppm at o["dpi"] (150-300),
then ImageMagick tilts it (o["tilt"], up to 2 degrees), blurs it, adds
speckle, lays it on a light or uneven (gradient) background and saves it
as JPEG at o["quality"] (40-80); the pages go into an image-only PDF
written here (one DCTDecode image per page, as scanners write them).
o["photo"] adds a phone photo's perspective (each corner moved by up to
o["corners"], fractions of the page) and a shadow; o["broken"] erases
that share of the table rules' length in gaps a band or two wide (a
faint photocopy), the gaps drawn afresh for each page.  draw() gives a
quarter of the scans each of these two kinds.  Needs pdftoppm
(poppler-utils) and convert (imagemagick)."""
import glob
import os
import random
import subprocess
import tempfile


def draw(rng):
    kind = rng.choice(["flat", "flat", "photo", "broken"])
    o = {"dpi": rng.choice([150, 200, 200, 300]), "tilt": round(rng.uniform(-2, 2), 2),
         "blur": rng.choice([0, 0.4, 0.7]), "noise": rng.choice([0.03, 0.08, 0.15]),
         "quality": rng.randint(40, 80), "background": rng.choice(["white", "grey", "uneven"]),
         "photo": kind == "photo", "seed": rng.randint(1, 1 << 30)}
    if kind == "photo":
        o["corners"] = [round(rng.uniform(0, 0.012), 4) for _ in range(8)]
    if kind == "broken":
        o["broken"] = round(rng.uniform(0.15, 0.35), 2)
    return o


def _break_rules(png, out, o, w, h):
    """The page with o["broken"] of its rules' length erased: the rules are
    what survives an opening with a line longer than any glyph, and a
    random pattern of bands 1/40 of the page long (and a row or a column
    of cells across) says where each rule fades."""
    rng = random.Random(o.get("seed", 1))
    tmp = os.path.dirname(out)

    def gaps(name, nx, ny):
        path = os.path.join(tmp, name)
        bands = bytes(255 if rng.random() < o["broken"] else 0 for _ in range(nx * ny))
        with open(path, "wb") as f:
            f.write(b"P5 %d %d 255\n" % (nx, ny) + bands)
        return ["(", path, "-filter", "point", "-resize", "%dx%d!" % (w, h), ")"]

    def rules(kernel):
        return ["(", "-clone", "0", "-negate", "-morphology", "Open", kernel, ")"]

    cmd = ["convert", png, "-colorspace", "Gray"]
    cmd += rules("rectangle:%dx1" % (w // 25)) + gaps("hgaps.pgm", 40, 100)
    cmd += ["(", "-clone", "1,2", "-compose", "multiply", "-composite", ")"]
    cmd += rules("rectangle:1x%d" % (h // 40)) + gaps("vgaps.pgm", 60, 40)
    cmd += ["(", "-clone", "4,5", "-compose", "multiply", "-composite", ")"]
    cmd += ["-delete", "1,2,4,5", "-background", "black", "-compose", "plus", "-flatten", out]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)


def _page(png, jpg, o):
    head = open(png, "rb").read(24)
    w, h = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    # ImageMagick's noise is random: seeded, a variant is the same scan
    # every run.
    if o.get("broken"):
        _break_rules(png, png, o, w, h)
    cmd = ["convert", "-seed", str(o.get("seed", 1)), png, "-colorspace", "Gray"]
    if o["background"] == "grey":
        cmd += ["-fill", "gray92", "-opaque", "white"]
    elif o["background"] == "uneven":
        cmd += ["(", "+clone", "-sparse-color", "Barycentric", "0,0 white %d,%d gray78" % (w, h),
                ")", "-compose", "multiply", "-composite"]
    if o["photo"]:
        # A phone held a little off square, a shadow across one side.
        c = o.get("corners") or [0.008, 0.017, 0.0125, 0.005, 0.0033, 0.0025, 0.0017, 0.011]
        cmd += ["-virtual-pixel", "white", "-distort", "Perspective",
                "0,0 %d,%d %d,0 %d,%d 0,%d %d,%d %d,%d %d,%d" % (
                    w * c[0], h * c[1], w, w - w * c[2], h * c[3], h, w * c[4], h - h * c[5],
                    w, h, w - w * c[6], h - h * c[7]),
                "(", "+clone", "-sparse-color", "Barycentric", "0,0 gray70 %d,0 white" % w, ")",
                "-compose", "multiply", "-composite"]
    cmd += ["-background", "white", "-rotate", str(o["tilt"])]
    if o["blur"]:
        cmd += ["-blur", "0x%s" % o["blur"]]
    cmd += ["-attenuate", str(o["noise"]), "+noise", "Impulse", "-quality", str(o["quality"]), jpg]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)


def _jpeg_size(data):
    """(width, height, components) from a JPEG's SOF marker."""
    i = 2
    while i < len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        m = data[i + 1]
        n = int.from_bytes(data[i + 2:i + 4], "big")
        if m in (0xC0, 0xC1, 0xC2):
            return (int.from_bytes(data[i + 7:i + 9], "big"), int.from_bytes(data[i + 5:i + 7], "big"),
                    data[i + 9])
        i += 2 + n
    raise ValueError("no SOF in JPEG")


def write_image_pdf(jpegs, out, dpi):
    """An image-only PDF: each JPEG one page at its resolution."""
    objs = []
    kids = []
    for j in jpegs:
        data = open(j, "rb").read()
        w, h, comp = _jpeg_size(data)
        pw, ph = w * 72.0 / dpi, h * 72.0 / dpi
        img = len(objs) + 3
        objs.append(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /%s "
                    b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n" %
                    (w, h, b"DeviceGray" if comp == 1 else b"DeviceRGB", len(data)) + data +
                    b"\nendstream")
        content = b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (pw, ph)
        objs.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources "
                    b"<< /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>" % (pw, ph, img, img + 1))
        kids.append(img + 2)
    head = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids),
                                                         len(kids))]
    allo = head + objs
    out_b = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offs = []
    for n, o in enumerate(allo, 1):
        offs.append(len(out_b))
        out_b += b"%d 0 obj\n" % n + o + b"\nendobj\n"
    xref = len(out_b)
    out_b += b"xref\n0 %d\n0000000000 65535 f \n" % (len(allo) + 1)
    for off in offs:
        out_b += b"%010d 00000 n \n" % off
    out_b += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(allo) + 1, xref)
    with open(out, "wb") as f:
        f.write(out_b)


def scan_pdf(pdf, out, o):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(o["dpi"]), "-gray", "-png", pdf,
                        os.path.join(tmp, "p")], check=True, capture_output=True, timeout=300)
        jpegs = []
        for png in sorted(glob.glob(os.path.join(tmp, "p-*.png"))):
            jpg = png[:-4] + ".jpg"
            _page(png, jpg, o)
            jpegs.append(jpg)
        write_image_pdf(jpegs, out, o["dpi"])
