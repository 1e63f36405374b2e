#!/usr/bin/env bash
# Regenerates the README's pictures from the five seed plans (needs ../shared, Debian's
# chromium and fonts-noto-cjk, LibreOffice Calc (libreoffice-calc-nogui) and poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
calgen build ../shared/seeds/*.txt -o "$work/out" >/dev/null || true
shoot() {   # page.html picture.png
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$work/profile" --window-size=1400,820 \
    --virtual-time-budget=5000 --screenshot="$2" "file://$1" 2>/dev/null
}
shoot "$work/out/gantt.html" docs/img/gantt-overview.png
sed 's/draw();document.body.dataset.ok/view.value=3;draw();document.body.dataset.ok/' "$work/out/gantt.html" > "$work/plan.html"
shoot "$work/plan.html" docs/img/gantt-plan.png
# the workbook as LibreOffice draws it: the 2021 plan's sheet first, printed to PDF, pages 1 and 2
python - "$work" <<'PY'
import sys, openpyxl
work = sys.argv[1]
wb = openpyxl.load_workbook(f"{work}/out/gantt.xlsx")
ws = next(w for w in wb.worksheets if "2021" in w.title)
wb.move_sheet(ws, offset=-wb.index(ws))
wb.active = 0
ws.page_setup.orientation = "landscape"
ws.page_setup.paperSize = ws.PAPERSIZE_A3
wb.save(f"{work}/sheet.xlsx")
PY
(cd "$work" && soffice --headless --convert-to pdf sheet.xlsx >/dev/null 2>&1)
pdftoppm -png -r 110 -f 1 -l 2 "$work/sheet.pdf" "$work/page"
python - "$work" <<'PY'
import glob, sys
from PIL import Image
work = sys.argv[1]
for page, name in zip(sorted(glob.glob(f"{work}/page*.png")), ("workbook-tasks", "workbook-grid")):
    im = Image.open(page)
    box = im.convert("L").point(lambda v: 255 if v < 250 else 0).getbbox()
    im = im.crop(box).convert("RGB")
    if im.width > 1600:
        im = im.resize((1600, im.height * 1600 // im.width), Image.LANCZOS)
    im.quantize(colors=64).save(f"docs/img/{name}.png", optimize=True)
PY
rm -rf "$work"
ls -la docs/img
