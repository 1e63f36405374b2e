#!/usr/bin/env bash
# Regenerates the README's follow-up (督办) pictures from the bundled sample plan: a build on
# 2023-04-20, two returned ledgers filled with openpyxl, `calgen status import`, a rebuild and
# the report on 2023-07-05.  Needs Debian's chromium and fonts-noto-cjk.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
cp calgen/data/sample_plan.txt "$work/plan.txt"
calgen build "$work/plan.txt" -o "$work/out" --as-of 2023-04-20 >/dev/null
python - "$work" <<'PY'
import datetime as dt, sys, openpyxl
work = sys.argv[1]
wb = openpyxl.load_workbook(f"{work}/out/ledger.xlsx")
ws = wb["台账"]
col = {c.value: i + 1 for i, c in enumerate(ws[1])}
def fill(node, **values):
    r = next(r for r in range(2, ws.max_row + 1) if str(ws.cell(r, col["节点"]).value).startswith(node))
    for k, v in values.items():
        ws.cell(r, col[k]).value = v
fill("4月底前", 状态="已完成", 完成日期=dt.datetime(2023, 4, 26), 进展情况="一体化平台已上线")
fill("6月底前", 状态="申请延期", 新到期日=dt.datetime(2023, 8, 31), 进展情况="细则征求意见中")
fill("6月30日前", 状态="已完成", 完成日期=dt.datetime(2023, 7, 3), 进展情况="已报送")
fill("9月底前：9月底前实现", 状态="推进中", 进展情况="已覆盖8个区")
wb.save(f"{work}/returned.xlsx")
PY
calgen status import "$work/returned.xlsx" -o "$work/out" --as-of 2023-07-05 >/dev/null
calgen build "$work/plan.txt" -o "$work/out" --as-of 2023-07-05 >/dev/null
calgen report -o "$work/out" --as-of 2023-07-05 --to "$work/report" >/dev/null
calgen digest -o "$work/out" --as-of 2023-09-22 --to "$work/digest" >/dev/null
shoot() {   # page.html picture.png width height
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$work/profile" --window-size="$3,$4" \
    --virtual-time-budget=5000 --screenshot="$2" "file://$1" 2>/dev/null
}
sed 's/draw();document.body.dataset.ok/view.value=0;draw();document.body.dataset.ok/' "$work/out/gantt.html" > "$work/plan.html"
shoot "$work/plan.html" docs/img/follow-gantt.png 1400 560
shoot "$work/report/report.html" docs/img/follow-report.png 1200 620
digest=$(grep -l "市场监管局：" "$work"/digest/*.txt | head -1 | sed "s/\.txt$/.html/")
shoot "$digest" docs/img/follow-digest.png 1000 540
# the feeds index with links and QR codes (a public address set), the first agency's code shown
calgen build "$work/plan.txt" -o "$work/site" --base-url https://calendar.example.gov.cn/output >/dev/null
python - "$work" <<'PY'
import sys
work = sys.argv[1]
page = open(f"{work}/site/feeds/index.html", encoding="utf-8").read()
i = page.index("<h2>单位")
j = page.index("<details>", i)
open(f"{work}/site/feeds/shown.html", "w", encoding="utf-8").write(page[:j] + "<details open>" + page[j + 9:])
PY
shoot "$work/site/feeds/shown.html" docs/img/feeds-index.png 1100 640
python - <<'PY'
from PIL import Image
for name in ("follow-gantt", "follow-report", "follow-digest", "feeds-index"):
    path = f"docs/img/{name}.png"
    im = Image.open(path).convert("RGB")
    box = im.convert("L").point(lambda v: 255 if v < 250 else 0).getbbox()
    im.crop((0, 0, im.width, box[3] + 10)).quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
PY
rm -rf "$work"
ls -la docs/img
