#!/usr/bin/env python3
"""Layout generator: one report record, rendered in many layouts.

A rule that fits one fixture is not done until its whole family passes.  This
module takes a record (random, or one of the hand-read expected records) and
renders the same numbers the ways real portals, Word/WPS files, PDF exporters
and copy-paste tools do:

  html     the national tables with rowspan/colspan, blanks as &nbsp;
  docx     WordprocessingML written here, with the knobs below
  pdf      the docx through LibreOffice (soffice --convert-to pdf)
  lodocx   the docx saved again by LibreOffice (its own grid and merges)
  doc, rtf the docx saved by LibreOffice as Word 97-2003 or RTF (legacy
           files, read through LibreOffice again)
  scan     the pdf printed and scanned: an image-only PDF of JPEG pages at
           150-300 dpi, tilted, blurred, speckled, on a grey or uneven
           background, some photographed (genscans.py; read by OCR)
  xls      the html opened by LibreOffice Calc and saved as Excel 97-2003
  text     markdown rows with and without the leading |, one cell per line
           ending in |, one cell per paragraph, tab-separated rows,
           multi-space rows, and a page flattened to one line with its
           cells run together (read only where the arithmetic allows: a
           cell left blank with a warning is right, a wrong value is not)
  pdftext  the pdf as `pdftotext -layout` prints it (a character grid)
  pdfjs    the pdf's text items in content-stream order, one line per
           item run, as PDF.js joins them (`pdftotext -raw`); both drop
           blank cells, so their records print zeros (fill_blanks)
  pdftext_raw  the pdf (LibreOffice's from the docx, or Chromium's print of
           the html) as plain `pdftotext` prints it, without -layout: its
           reading order puts a label's lines before or after its values,
           a group label between them, a column's cells one per line
  transcript  the report as an OCR or LLM transcription gives it: markdown
           pipe tables whose header rows are run together or broken, a
           row's values split over two lines, labels on their own line
           before (or, in some documents, after) their values, group labels
           on a line of their own
  titles   a text report whose agency and year stand in one of the forms
           real pages use (title_form below): 关于…的报告, …年报, a year
           apart or in Chinese numerals, the agency only in the signature
           or 落款, only in the first sentence (现将我镇…), or behind a
           navigation bar

DOCX/PDF knobs (each variant draws a few): phantom grid columns (a trailing
or leading empty gridCol, a split column whose header spans two grid
columns), the national three-row header or a flat one, headers broken one
character per line, narrow label columns that force labels to wrap, top /
middle / bottom vertical alignment, borderless tables, landscape pages, a
long 总体情况 that pushes section 三 over a page break, and the hybrid form
(2021 section 二 with the 2019 section 三) real county reports print.

Everything written here is generated content: agency names are drawn from a
list of real place names, the numbers are random and consistent with the
form's arithmetic (row totals, the balance rule, outcome totals).

    python3 tests/layouts/genlayouts.py OUTDIR [--count N] [--seed S]

writes OUTDIR/<name>.<ext> and OUTDIR/<name>.expected.json; the test
(tests/test_layouts.py) parses them and compares every printed cell.
"""
import argparse
import html
import io
import json
import os
import random
import shutil
import subprocess
import zipfile

APP_COLS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]

# (path, group label or None, label) in form order.  group rows are printed
# as merged cells in the middle label column.
APP_ROWS_HEAD = [
    ("new_received", None, "一、本年新收政府信息公开申请数量"),
    ("carried_in", None, "二、上年结转政府信息公开申请数量"),
]
APP_ROWS_RESULT = [
    ("granted", None, "（一）予以公开"),
    ("partially_granted", None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("denied.state_secret", "（三）不予公开", "1.属于国家秘密"),
    ("denied.prohibited_by_law", "（三）不予公开", "2.其他法律行政法规禁止公开"),
    ("denied.three_safeties", "（三）不予公开", "3.危及“三安全一稳定”"),
    ("denied.third_party", "（三）不予公开", "4.保护第三方合法权益"),
    ("denied.internal_affairs", "（三）不予公开", "5.属于三类内部事务信息"),
    ("denied.process_info", "（三）不予公开", "6.属于四类过程性信息"),
    ("denied.enforcement_files", "（三）不予公开", "7.属于行政执法案卷"),
    ("denied.administrative_query", "（三）不予公开", "8.属于行政查询事项"),
    ("unable.not_held", "（四）无法提供", "1.本机关不掌握相关政府信息"),
    ("unable.needs_creation", "（四）无法提供", "2.没有现成信息需要另行制作"),
    ("unable.unclear", "（四）无法提供", "3.补正后申请内容仍不明确"),
    ("not_processed.petition", "（五）不予处理", "1.信访举报投诉类申请"),
    ("not_processed.duplicate", "（五）不予处理", "2.重复申请"),
    ("not_processed.publication", "（五）不予处理", "3.要求提供公开出版物"),
    ("not_processed.excessive", "（五）不予处理", "4.无正当理由大量反复申请"),
    ("not_processed.confirmation", "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"),
]
OTHER_2019 = [("other", None, "（六）其他处理")]
OTHER_2021 = [
    ("other_detail.no_correction", "（六）其他处理",
     "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other_detail.no_fee", "（六）其他处理",
     "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other_detail.other", "（六）其他处理", "3.其他"),
]
APP_ROWS_TAIL = [("total", None, "（七）总计")]
CARRIED_OVER = ("carried_over", None, "四、结转下年度继续办理")

PRO_2019 = [
    ("第二十条第（一）项", ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
     [("rules", "规章", ["new_made", "new_published", "total_published"]),
      ("normative_documents", "规范性文件", ["new_made", "new_published", "total_published"])]),
    ("第二十条第（五）项", ["上一年项目数量", "本年增/减", "处理决定数量"],
     [("licensing", "行政许可", ["prev_count", "change", "decisions"]),
      ("other_services", "其他对外管理服务事项", ["prev_count", "change", "decisions"])]),
    ("第二十条第（六）项", ["上一年项目数量", "本年增/减", "处理决定数量"],
     [("penalty", "行政处罚", ["prev_count", "change", "decisions"]),
      ("coercion", "行政强制", ["prev_count", "change", "decisions"])]),
    ("第二十条第（八）项", ["上一年项目数量", "本年增/减"],
     [("fees", "行政事业性收费", ["prev_count", "change"])]),
    ("第二十条第（九）项", ["采购项目数量", "采购总金额"],
     [("procurement", "政府集中采购", ["projects", "amount_wan"])]),
]
PRO_2021 = [
    ("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"],
     [("rules", "规章", ["issued", "repealed", "in_force"]),
      ("normative_documents", "行政规范性文件", ["issued", "repealed", "in_force"])]),
    ("第二十条第（五）项", ["本年处理决定数量"],
     [("licensing", "行政许可", ["decisions"])]),
    ("第二十条第（六）项", ["本年处理决定数量"],
     [("penalty", "行政处罚", ["decisions"]), ("coercion", "行政强制", ["decisions"])]),
    ("第二十条第（八）项", ["本年收费金额（单位：万元）"],
     [("fees", "行政事业性收费", ["amount_wan"])]),
]
APPEAL_GROUPS = ["reconsideration", "litigation_direct", "litigation_after_review"]
APPEAL_COLS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]

PLACES = ["武定县", "大姚县", "会昌县", "洪泽区", "乌苏市", "方正县", "楚雄市", "吴起县", "晋安区",
          "柞水县", "来凤县", "汉阳区", "昌图县", "兴化市", "嘉县", "平潭县", "崇义县", "安远县",
          "宁都县", "于都县", "信丰县", "龙南市", "石城县", "瑞金市", "赣县区", "南康区"]
PREFIX = {"洪泽区": "淮安市", "晋安区": "福州市", "南康区": "赣州市", "赣县区": "赣州市"}
DEPTS = ["人民政府", "人民政府办公室", "统计局", "卫生健康局", "自然资源局", "住房和城乡建设局",
         "农业农村局", "市场监督管理局", "教育体育局", "财政局", "应急管理局", "民政局",
         "交通运输局", "生态环境分局", "医疗保障局", "退役军人事务局"]
TOWNS = ["中村乡", "城关镇", "长岗乡", "梅江镇", "黄陂镇", "青塘镇"]


# Text spread over its cell's width (分散对齐) in DOCX/PDF variants: read
# in DOCX, and in most PDFs but not all yet (tests/README.md, "Layout generator"),
# so it is drawn only when asked for (test_layouts.py --spread).
SPREAD = False

# ---------------------------------------------------------------- records

def _split(rng, total, n, blanks):
    """n non-negative parts summing to total, most of them small."""
    parts = [0] * n
    for _ in range(total):
        k = 0 if rng.random() < 0.7 else rng.randrange(n)
        parts[k] += 1
    return parts


def random_record(rng, tpl, hybrid=False):
    """A record in the record-schema shape with arithmetic that holds.
    `hybrid`: a 2021 section 二 with the 2019 section 三 (one （六） row)."""
    place = rng.choice(PLACES)
    r = rng.random()
    if r < 0.15:
        agency = PREFIX.get(place, "") + place + "人民政府"
    elif r < 0.25:
        agency = place + rng.choice(TOWNS).replace("乡", "乡人民政府").replace("镇", "镇人民政府")
    else:
        agency = place + rng.choice(DEPTS)
    year = rng.choice([2020, 2021, 2022, 2023, 2024, 2025]) if tpl == "2021" else \
        rng.choice([2019, 2020, 2021, 2022])
    rows3 = APP_ROWS_HEAD + APP_ROWS_RESULT + \
        (OTHER_2019 if tpl == "2019" or hybrid else OTHER_2021) + APP_ROWS_TAIL + [CARRIED_OVER]
    big = rng.random() < 0.3
    scale = rng.choice([3, 8, 40, 200, 1500]) if big else rng.choice([0, 1, 3, 8, 20])
    # Outcome rows (per applicant column), then totals from them.
    outcome_paths = [p for p, _, _ in APP_ROWS_RESULT] + \
        [p for p, _, _ in (OTHER_2019 if tpl == "2019" or hybrid else OTHER_2021)]
    app = {}
    ncols = 6
    dense = rng.random()
    for p in outcome_paths:
        if rng.random() < dense * 0.6 or p in ("granted", "unable.not_held"):
            tot = rng.randrange(scale + 1)
        else:
            tot = 0
        app[p] = _split(rng, tot, ncols, False)
    total = [sum(app[p][c] for p in outcome_paths) for c in range(ncols)]
    carried_in = [rng.randrange(3) if rng.random() < 0.3 else 0 for _ in range(ncols)]
    carried_over = [min(carried_in[c] + (rng.randrange(3) if rng.random() < 0.3 else 0),
                        carried_in[c] + total[c]) for c in range(ncols)]
    new = [total[c] + carried_over[c] - carried_in[c] for c in range(ncols)]
    app["new_received"], app["carried_in"] = new, carried_in
    app["total"], app["carried_over"] = total, carried_over
    for p in app:
        app[p] = app[p] + [sum(app[p])]
    # Blank cells: whole zero rows printed blank, or random zero cells.
    blank_mode = rng.choice(["none", "none", "zeros-blank", "some", "column"])
    blank_col = rng.randrange(1, 6)
    for p, vals in app.items():
        for c in range(7):
            if blank_mode == "zeros-blank" and vals[c] == 0 and c < 6 and rng.random() < 0.8:
                vals[c] = None
            elif blank_mode == "some" and vals[c] == 0 and rng.random() < 0.25:
                vals[c] = None
            elif blank_mode == "column" and c == blank_col and vals[c] == 0:
                vals[c] = None
    applications = {}
    for p, vals in app.items():
        if "." in p:
            g, k = p.split(".")
            applications.setdefault(g, {})[k] = vals
        else:
            applications[p] = vals

    proactive = {}
    for caption, heads, rows in (PRO_2019 if tpl == "2019" and not hybrid else PRO_2021):
        for key, label, fields in rows:
            d = {}
            for f in fields:
                if f == "amount_wan":
                    v = rng.choice([0, round(rng.uniform(0, 500), 2), round(rng.uniform(0, 30), 1),
                                    rng.randrange(2000)])
                    d["amount_wan"] = v
                    d["amount_text"] = fmt_num(v)
                elif f == "change":
                    d[f] = rng.choice([0, 0, 1, -1, 2, -3, 5])
                else:
                    d[f] = rng.choice([0, 0, 1, 3, 12, 48, 230, 1234]) if rng.random() < 0.85 else None
            proactive[key] = d

    appeals = {}
    for g in APPEAL_GROUPS:
        vals = [rng.choice([0, 0, 0, 1, 2, 5]) for _ in range(4)]
        vals.append(sum(vals))
        if rng.random() < 0.15:
            vals = [None] * 5
        appeals[g] = vals

    return {"agency": agency, "year": year, "template": tpl, "hybrid": hybrid,
            "proactive": proactive, "applications": applications, "appeals": appeals}


def fmt_num(v):
    if v is None:
        return ""
    if isinstance(v, float):
        s = ("%.6f" % v).rstrip("0").rstrip(".")
        return s
    return str(v)


def app_value(rec, path):
    a = rec["applications"]
    if "." in path:
        g, k = path.split(".")
        return a[g][k]
    return a[path]


# ---------------------------------------------------------------- the document model
# A document is a list of blocks: ("p", text) or ("table", rows); a row is a
# list of cells {t, cs (colspan), rs (rowspan), num (a value cell)}.

def C(t, cs=1, rs=1, num=False):
    return {"t": t, "cs": cs, "rs": rs, "num": num}


def app_rows(rec):
    hybrid = rec.get("hybrid")
    other = OTHER_2019 if rec["template"] == "2019" or hybrid else OTHER_2021
    return APP_ROWS_HEAD, APP_ROWS_RESULT + other + APP_ROWS_TAIL, CARRIED_OVER


def table3(rec, o):
    head, result, co = app_rows(rec)
    rows = []
    header_broken = o.get("header_chars")

    def H(t, **kw):
        if header_broken and len(t) > 1:
            t = "\n".join(t) if header_broken == "chars" else t[:2] + "\n" + t[2:]
        c = C(t, **kw)
        c["narrow"] = True
        return c

    if o.get("flat_header"):
        rows.append([C("申请人情况", cs=3)] + [H(c) for c in APP_COLS])
    else:
        rows.append([C("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                       cs=3, rs=3), C("申请人情况", cs=7)])
        rows.append([H("自然人", rs=2), C("法人或其他组织", cs=5), H("总计", rs=2)])
        rows.append([H(c) for c in APP_COLS[1:6]])

    def vals(path):
        return [C(fmt_num(v), num=True) for v in app_value(rec, path)]

    # An irregular hand-made grid: data-row labels merged over one column
    # less than the header's corner, so every value sits one grid column
    # left of its header.
    lab_cs = 2 if o.get("irregular") else 3
    for p, _, label in head:
        if o.get("year_labels"):
            # "一、本年(2021)新收…": the year printed inside the label
            y = rec["year"] - (1 if p == "carried_in" else 0)
            label = label.replace("本年", "本年(%d)" % y).replace("上年", "上年(%d)" % y)
        rows.append([C(label, cs=lab_cs)] + vals(p))
    first = True
    groups_done = set()
    for p, group, label in result:
        row = []
        if first:
            row.append(C("三、本年度办理结果", rs=len(result)))
            first = False
        if group is None:
            row.append(C(label, cs=lab_cs - 1))
        else:
            if group not in groups_done:
                n = sum(1 for _, g, _ in result if g == group)
                row.append(C(group, rs=n))
                groups_done.add(group)
            row.append(C(label, cs=lab_cs - 2) if lab_cs > 2 else C(label))
        rows.append(row + vals(p))
    rows.append([C(co[2], cs=lab_cs)] + vals(co[0]))
    return rows


def tables2(rec, o):
    out = []
    form = PRO_2019 if rec["template"] == "2019" and not rec.get("hybrid") else PRO_2021
    for caption, heads, rows in form:
        width = 3
        t = [[C(caption, cs=width + 1)]]
        if len(heads) == 1:
            t.append([C("信息内容"), C(heads[0], cs=width)])
        else:
            t.append([C("信息内容")] + [C(h) for h in heads] +
                     ([C("")] if len(heads) < width else []))
        for key, label, fields in rows:
            d = rec["proactive"][key]
            cells = []
            for f in fields:
                if f == "amount_wan":
                    cells.append(C(d.get("amount_text", ""), num=True))
                else:
                    cells.append(C(fmt_num(d.get(f)), num=True))
            if len(cells) == 1:
                cells[0]["cs"] = width
            elif len(cells) < width:
                cells.append(C(""))
            t.append([C(label)] + cells)
        out.append(t)
    return out


def table4(rec, o):
    rows = [[C("行政复议", cs=5), C("行政诉讼", cs=10)],
            [C(c, rs=2) for c in APPEAL_COLS] + [C("未经复议直接起诉", cs=5), C("复议后起诉", cs=5)],
            [C(c) for c in APPEAL_COLS] * 2]
    vals = []
    for g in APPEAL_GROUPS:
        vals += [C(fmt_num(v), num=True) for v in rec["appeals"][g]]
    rows.append(vals)
    return rows


def tables4(rec, o):
    """Section 四 as one table, or split as real reports print it: 行政复议
    and 行政诉讼 apart (two), or each group its own five-column table with
    its own header (three)."""
    n = o.get("appeal_tables", 1)
    if n == 1:
        return [table4(rec, o)]

    def vals(groups):
        out = []
        for g in groups:
            out += [C(fmt_num(v), num=True) for v in rec["appeals"][APPEAL_GROUPS[g]]]
        return out

    heads = [C(c) for c in APPEAL_COLS]
    one = [[C("行政复议", cs=5)], list(heads), vals([0])]
    if n == 2:
        two = [[C("行政诉讼", cs=10)], [C("未经复议直接起诉", cs=5), C("复议后起诉", cs=5)],
               [C(c) for c in APPEAL_COLS] * 2, vals([1, 2])]
        return [one, two]
    return [one,
            [[C("行政诉讼（未经复议直接起诉）", cs=5)], [C(c) for c in APPEAL_COLS], vals([1])],
            [[C("行政诉讼（复议后起诉）", cs=5)], [C(c) for c in APPEAL_COLS], vals([2])]]


OVERVIEW = ("本年度，我单位认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、"
            "不公开为例外，持续推进决策、执行、管理、服务、结果公开，稳步提升政务公开质效。")


def title_lines(rec, o, rng):
    a, y = rec["agency"], rec["year"]
    style = o.get("title", "one")
    if style == "two":
        return [a, "%d年政府信息公开工作年度报告" % y]
    if style == "inphrase":
        return ["%s政府信息公开工作%d年度报告" % (a, y)]
    if style == "sentence":
        # no title line: the title only inside the preamble's sentence
        return ["根据《中华人民共和国政府信息公开条例》规定，现公布%s%d年政府信息公开工作年度报告。"
                % (a, y)]
    if style == "spaced":
        return ["%s %d 年政府信息公开工作年度报告" % (a, y)]
    return ["%s%d年政府信息公开工作年度报告" % (a, y)]


CN_DIGITS = "〇一二三四五六七八九"


def cn_year(y, zero="〇"):
    return "".join(CN_DIGITS[int(d)] if d != "0" else zero for d in str(y))


TITLE_FORMS = ["guanyu", "niandu", "nianbao", "apart", "cn", "cnzero", "signature", "luokuan",
               "opening", "nav", "navonly", "mirror"]


def title_form(rec, form, rng):
    """The title lines, an opening paragraph (or None) and the signature
    line of a report whose agency and year stand the `form` way; the
    record's agency is what the parser must read from them."""
    a, y = rec["agency"], rec["year"]
    # Where the title carries the agency, no signature repeats it: the
    # title alone must give it.
    opening, sign = None, None
    if form == "guanyu":
        titles = ["关于%s%d年度政府信息公开工作的报告" % (a, y)]
    elif form == "niandu":
        titles = ["%s%d年度政府信息公开工作报告" % (a, y)]
    elif form == "nianbao":
        titles = ["%s %d 年政府信息公开年报" % (a, y)]
    elif form == "apart":
        titles = [a, "%d 年政府信息公开工作年度报告" % y]
    elif form == "cn":
        titles = ["%s%s年政府信息公开工作年度报告" % (a, cn_year(y))]
    elif form == "cnzero":
        titles = ["%s%s年政府信息公开工作年度报告" % (a, cn_year(y, "零"))]
    elif form == "signature":
        titles = ["%d年政府信息公开工作年度报告" % y]
        sign = a
    elif form == "navonly":
        # Only navigation words in front of the title: not an agency.
        titles = ["首页 > 政务公开 > %d年政府信息公开工作年度报告" % y]
        sign = a
    elif form == "mirror":
        # A mirror site's injected text glued to the title: refused, and
        # the signature gives the agency.
        titles = ["澳门新葡京娱乐官网%s%d年政府信息公开工作年度报告" % (a, y)]
        sign = a
    elif form == "luokuan":
        titles = ["%d年政府信息公开工作年度报告" % y]
        sign = "落款：" + a
    elif form == "opening":
        # A town report that calls itself 我镇: the name only in the text.
        titles = ["%d年政府信息公开工作年度报告" % y]
        town = a[:-len("人民政府")]
        short = town[len(rec["place"]):]
        opening = ("根据《中华人民共和国政府信息公开条例》规定，现将我%s%d年政府信息公开工作"
                   "年度报告如下。本报告由%s门户网站发布，%s党委高度重视政府信息公开工作。"
                   % (short[-1], y, a, short))
    else:  # nav: a breadcrumb glued in front of the title
        titles = ["首页 > 政务公开 > 当前位置：%s%d年政府信息公开工作年度报告" % (a, y)]
    return titles, opening, sign


def document(rec, o, rng):
    """The blocks of a whole report."""
    b = []
    opening, sign = None, rec["agency"]
    if o.get("title_form"):
        titles, opening, sign = title_form(rec, o["title_form"], rng)
    else:
        titles = title_lines(rec, o, rng)
    if o.get("chrome") == "glued":
        # A page whose text starts with its navigation bar, the title glued
        # to the bar's last item.
        titles[0] = "首页|政务动态|政府信息公开" + titles[0]
    elif o.get("chrome"):
        b.append(("p", "首页|政务动态|政府信息公开|政府信息公开年报"))
        b.append(("p", "您当前所在位置：首页 > 政务公开 > 政府信息公开年报"))
    for t in titles:
        b.append(("p", t))
    y = rec["year"]
    if o.get("period", True):
        b.append(("p", "本报告所列数据的统计期限自%d年1月1日起至%d年12月31日止。" % (y, y)))
    if opening:
        b.append(("p", opening))
    b.append(("p", "一、总体情况"))
    for _ in range(o.get("overview_paras", 1)):
        b.append(("p", OVERVIEW))
    b.append(("p", "二、主动公开政府信息情况"))
    for t in tables2(rec, o):
        b.append(("table", t))
    b.append(("p", "三、收到和处理政府信息公开申请情况"))
    t3 = table3(rec, o)
    if o.get("split3"):
        # Section 三 as two tables, the header printed again on top of the
        # second (a page break in a page or a Word file saved as two
        # tables): cut where no merged label spans the cut.
        hn = 1 if o.get("flat_header") else 3
        head, data = t3[:hn], t3[hn:]
        k = 2 if o["split3"] == "results" else len(data) - 1
        b.append(("table", head + data[:k]))
        b.append(("table", [[dict(c) for c in r] for r in head] + data[k:]))
    else:
        b.append(("table", t3))
    b.append(("p", "四、政府信息公开行政复议、行政诉讼情况"))
    for t in tables4(rec, o):
        b.append(("table", t))
    b.append(("p", "五、存在的主要问题及改进情况"))
    b.append(("p", "一是公开内容的深度还不够；二是政策解读形式较为单一。下一步将加强培训。"))
    b.append(("p", "六、其他需要报告的事项"))
    b.append(("p", "本年度未收取信息处理费。"))
    if sign:
        b.append(("p", sign))
    b.append(("p", "%d年1月%d日" % (y + 1, rng.randrange(10, 28))))
    return b


# ---------------------------------------------------------------- grids

def grid(rows):
    """Expand spans: a list of rows of (cell or None for covered, is_origin)
    over the grid columns, plus the number of grid columns."""
    occupied = {}
    out = []
    width = 0
    for r, row in enumerate(rows):
        line = {}
        c = 0
        for cell in row:
            while (r, c) in occupied:
                line[c] = (occupied[(r, c)], False)
                c += 1
            for dr in range(cell["rs"]):
                for dc in range(cell["cs"]):
                    if dr or dc:
                        occupied[(r + dr, c + dc)] = cell
            line[c] = (cell, True)
            c += cell["cs"]
        while (r, c) in occupied:
            line[c] = (occupied[(r, c)], False)
            c += 1
        width = max(width, c)
        out.append(line)
    return out, width


# ---------------------------------------------------------------- HTML

def render_html(blocks, o):
    # The page title: the report's title, or the site's name when the
    # report states its title only inside a sentence.
    title = blocks[2 if o.get("chrome") == "lines" else 0][1]
    if o.get("title") == "sentence":
        title = "政府信息公开年报"
    parts = ['<!DOCTYPE html><html><head><meta charset="utf-8"><title>%s</title>%s</head><body>'
             % (html.escape(title),
                "<style>table{border-collapse:collapse}td{font-size:9pt;padding:1px 2px}</style>"
                if o.get("narrow_values") else "")]
    for kind, x in blocks:
        if kind == "p":
            parts.append("<p>%s</p>" % html.escape(x))
            continue
        parts.append('<table border="1">')
        for row in x:
            parts.append("<tr>")
            for c in row:
                attrs = ""
                if c["cs"] > 1:
                    attrs += ' colspan="%d"' % c["cs"]
                if c["rs"] > 1:
                    attrs += ' rowspan="%d"' % c["rs"]
                if c.get("narrow") and o.get("narrow_values"):
                    # An applicant header a few characters wide: it wraps
                    # onto two or three lines when printed.
                    attrs += ' style="width:2.2em"'
                t = html.escape(c["t"]).replace("\n", "<br>") or "&nbsp;"
                parts.append("<td%s>%s</td>" % (attrs, t))
            parts.append("</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts).encode("utf-8")


# ---------------------------------------------------------------- DOCX

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
      'officedocument.wordprocessingml.document.main+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def xesc(s):
    return html.escape(s, quote=False)


def runs(text, size=21):
    out = []
    for i, line in enumerate(text.split("\n")):
        if i:
            out.append("<w:r><w:br/></w:r>")
        out.append('<w:r><w:rPr><w:rFonts w:eastAsia="Noto Sans CJK SC" w:ascii="Noto Sans CJK SC"/>'
                   '<w:sz w:val="%d"/></w:rPr><w:t xml:space="preserve">%s</w:t></w:r>'
                   % (size, xesc(line)))
    return "".join(out)


def dpara(text, size=21, jc=None):
    ppr = '<w:pPr><w:spacing w:before="0" w:after="0"/>%s</w:pPr>' % (
        '<w:jc w:val="%s"/>' % jc if jc else "")
    return "<w:p>%s%s</w:p>" % (ppr, runs(text, size))


def docx_table(rows, o, rng, kind):
    g, width = grid(rows)
    # Column widths (twips): the label columns of section 三 narrow or wide.
    total = 13500 if o.get("landscape") else 9000
    if kind == "三":
        lab = o.get("label_width", 3200)
        if o.get("narrow_values"):
            # Value columns a few characters wide: the applicant headers
            # wrap onto two or three lines under 法人或其他组织.
            lab = total - 7 * o["narrow_values"]
        widths = [lab // 4, lab // 4, lab // 2] + [(total - lab) // 7] * 7
    elif kind == "四":
        # One table of fifteen columns, or the form split into tables of
        # five or ten (appeal_tables): every column the same width.
        widths = [total // width] * width
    else:
        widths = [total // 3] + [(total * 2 // 3) // max(1, width - 1)] * (width - 1)
    widths = (widths + [total // max(1, width)] * width)[:width]
    # Phantom grid columns: a split column (the header spans two grid
    # columns, data rows carry an empty cell beside the value), a trailing
    # or leading empty column.
    split = o.get("split_col") if kind == "三" else None
    lead = o.get("phantom_lead") and kind in ("三", "二")
    trail = o.get("phantom_trail") and kind in ("三", "二", "四")
    grid_cols = list(widths)
    if split is not None:
        gi = 3 + split
        # A sliver beside the real column, as a nudged border leaves it.
        sliver = grid_cols[gi] // 8
        halves = [sliver, grid_cols[gi] - sliver] if o.get("split_side") == "right" else \
            [grid_cols[gi] - sliver, sliver]
        grid_cols = grid_cols[:gi] + halves + grid_cols[gi + 1:]
    if lead:
        grid_cols = [120] + grid_cols
    if trail:
        grid_cols = grid_cols + [150]
    borders = "" if o.get("borderless") else (
        "<w:tblBorders>" + "".join('<w:%s w:val="single" w:sz="4" w:space="0" w:color="000000"/>' % s
                                   for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
        + "</w:tblBorders>")
    valign = o.get("valign", "center")
    out = ['<w:tbl><w:tblPr><w:tblW w:w="%d" w:type="dxa"/><w:tblLayout w:type="fixed"/>%s</w:tblPr>'
           % (sum(grid_cols), borders)]
    out.append("<w:tblGrid>%s</w:tblGrid>" % "".join('<w:gridCol w:w="%d"/>' % w for w in grid_cols))
    size = o.get("font", 18)
    for r, line in enumerate(g):
        cells = []
        vertical = False
        if lead:
            cells.append('<w:tc><w:tcPr><w:tcW w:w="120" w:type="dxa"/></w:tcPr><w:p/></w:tc>')
        c = 0
        while c < width:
            cell, origin = line.get(c, (None, True))
            if cell is None:
                c += 1
                continue
            span = cell["cs"]
            wsum = sum(widths[c:c + span])
            gspan = span
            in_split = split is not None and c <= 3 + split < c + span
            if in_split and span > 1:
                gspan += 1
            pr = '<w:tcW w:w="%d" w:type="dxa"/>' % wsum
            if gspan > 1:
                pr += '<w:gridSpan w:val="%d"/>' % gspan
            if cell["rs"] > 1 or not origin:
                pr += '<w:vMerge w:val="restart"/>' if origin else "<w:vMerge/>"
            if o.get("vertical_heads") and cell.get("narrow") and origin:
                # The applicant header set in vertical text (竖排), as narrow
                # header cells often are: tbRlV keeps the characters upright,
                # btLr turns them.
                pr += '<w:textDirection w:val="%s"/>' % o["vertical_heads"]
                vertical = True
            pr += '<w:vAlign w:val="%s"/>' % valign
            text = cell["t"] if origin else ""
            # Text cells left-aligned, centred, or spread over the cell's
            # width (分散对齐, common in Chinese forms).
            jc = "center" if cell["num"] else o.get("text_align")
            if in_split and span == 1:
                # The split column: header cells span both halves; a data
                # row has the value in one half and nothing in the other.
                if cell["num"]:
                    left = o.get("split_side", "right") == "left"
                    a = dpara(text if left else "", size, jc)
                    b = dpara("" if left else text, size, jc)
                    half = grid_cols[(1 if lead else 0) + 3 + split]
                    # the value sits in the wide half
                    left = half > wsum // 2
                    a = dpara(text if left else "", size, jc)
                    b = dpara("" if left else text, size, jc)
                    cells.append('<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/><w:vAlign w:val="%s"/>'
                                 '</w:tcPr>%s</w:tc>' % (half, valign, a))
                    cells.append('<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/><w:vAlign w:val="%s"/>'
                                 '</w:tcPr>%s</w:tc>' % (wsum - half, valign, b))
                    c += span
                    continue
                pr += '<w:gridSpan w:val="2"/>'
            cells.append("<w:tc><w:tcPr>%s</w:tcPr>%s</w:tc>" % (pr, dpara(text, size, jc)))
            c += span
        if trail:
            cells.append('<w:tc><w:tcPr><w:tcW w:w="150" w:type="dxa"/></w:tcPr><w:p/></w:tc>')
        # Header rows repeated on every page the table runs onto, as Word
        # and WPS print a long section 三 split at a page break.
        heads = 1 if o.get("flat_header") else 3
        rep = "<w:tblHeader/>" if kind == "三" and o.get("repeat_header") and r < heads else ""
        # A row of vertical text as tall as its longest header (six
        # characters) and the cell's padding: Word grows the row to fit,
        # LibreOffice keeps it one line tall and clips the text.
        tall = ('<w:trHeight w:val="%d" w:hRule="atLeast"/>' % ((6 * size // 2 + 10) * 20)
                if vertical else "")
        out.append("<w:tr><w:trPr><w:cantSplit/>%s%s</w:trPr>%s</w:tr>" % (tall, rep, "".join(cells)))
    out.append("</w:tbl>")
    return "".join(out)


def render_docx(blocks, o, rng):
    body = []
    kinds = iter(["二"] * 5)
    section = None
    for kind, x in blocks:
        if kind == "p":
            if x.startswith("三、"):
                section = "三"
            elif x.startswith("四、"):
                section = "四"
            elif x.startswith("二、"):
                section = "二"
            body.append(dpara(x, 28 if "年度报告" in x else 21, "center" if "年度报告" in x else None))
        else:
            body.append(docx_table(x, o, rng, section or next(kinds)))
            body.append("<w:p/>")
    if o.get("landscape"):
        sect = ('<w:sectPr><w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>'
                '<w:pgMar w:top="1000" w:right="1000" w:bottom="1000" w:left="1000"/></w:sectPr>')
    else:
        sect = ('<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
                '<w:pgMar w:top="1200" w:right="1300" w:bottom="1200" w:left="1300"/></w:sectPr>')
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document %s><w:body>%s%s'
           '</w:body></w:document>' % (W, "".join(body), sect))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/document.xml", doc)
    return buf.getvalue()


# ---------------------------------------------------------------- text

def flat_rows(rows):
    """A table as a list of rows of cell texts over the grid; covered cells
    are "" (what a copy of a merged table gives)."""
    g, width = grid(rows)
    out = []
    for line in g:
        row = []
        for c in range(width):
            cell, origin = line.get(c, (None, True))
            row.append(cell["t"].replace("\n", "") if cell is not None and origin else "")
        # merged cells spanning columns: keep one cell for the whole span
        out.append(row)
    return out


def render_flat(blocks):
    """A portal page's text content: the title on its own line, the rest
    one line, every cell run into the next (blank cells vanish)."""
    head, body = [], []
    titled = False
    for kind, x in blocks:
        if kind == "p" and not titled and not body and x != "一、总体情况":
            head.append(x)
            titled = "年度报告" in x
            continue
        if kind == "p":
            body.append(x)
        else:
            for r in flat_rows(x):
                body.append("".join(r))
    return ("\n".join(head) + "\n" + "".join(body) + "\n").encode("utf-8")


def render_text(blocks, style):
    if style == "flat":
        return render_flat(blocks)
    lines = []
    for kind, x in blocks:
        if kind == "p":
            lines.append(x)
            if style == "paragraph":
                lines.append("")
            continue
        rows = flat_rows(x)
        if style == "markdown":
            for i, r in enumerate(rows):
                lines.append("| " + " | ".join(r) + " |")
                if i == 0:
                    lines.append("|" + "---|" * len(r))
        elif style == "pipes":
            for r in rows:
                lines.append(" | ".join(r) + " |")
        elif style == "cellpipe":
            for r in rows:
                for c in r:
                    lines.append((c + " |") if c else "|")
                lines.append("")
        elif style == "paragraph":
            for r in rows:
                for c in r:
                    if c:
                        lines.append(c)
                        lines.append("")
        elif style == "tabs":
            for r in rows:
                lines.append("\t".join(r))
        elif style == "spaces":
            for r in rows:
                lines.append("   ".join(c for c in r if c))
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------- expected

def expected(rec, fmt, style):
    """What the parser must read: every printed cell.  Text forms that drop
    blank cells (one cell per paragraph, multi-space) cannot say where a
    blank was; their generators print zeros instead (see variant())."""
    e = {"agency": rec["agency"], "year": rec["year"], "template": rec["template"],
         "proactive": rec["proactive"], "applications": rec["applications"],
         "appeals": rec["appeals"]}
    return e


def fill_blanks(rec):
    """Blanks → 0, for renderings that cannot show a blank cell."""
    def fix(x):
        if isinstance(x, dict):
            return {k: (v if k == "amount_text" else fix(v)) for k, v in x.items()}
        if isinstance(x, list):
            return [0 if v is None else v for v in x]
        return 0 if x is None else x
    rec = dict(rec)
    rec["applications"] = fix(rec["applications"])
    rec["appeals"] = fix(rec["appeals"])
    rec["proactive"] = fix(rec["proactive"])
    return rec


# ---------------------------------------------------------------- variants

def variant(rng, i, fmt=None):
    """One variant: (name, format, options, record)."""
    tpl = rng.choice(["2019", "2021", "2021"])
    hybrid = tpl == "2021" and rng.random() < 0.15
    rec = random_record(rng, tpl, hybrid)
    fmt = fmt or rng.choice(["html", "docx", "pdf", "pdf", "text"])
    if fmt == "titles":
        return title_variant(rng, i, tpl, rec)
    o = {"title": rng.choice(["one", "one", "two", "inphrase", "spaced", "sentence"]),
         "period": rng.random() < 0.7, "year_labels": rng.random() < 0.2}
    style = None
    if fmt in PDF_TEXT:
        rec = fill_blanks(rec)
    if fmt in ("docx", "pdf", "lodocx", "doc", "rtf", "scan") + tuple(PDF_TEXT):
        # Value columns stay wide enough for the numbers: a report whose
        # numbers wrap inside their cells is not one of these layouts.
        digits = max([len(str(v)) for g in rec["applications"].values()
                      for vals in (g.values() if isinstance(g, dict) else [g]) for v in vals if v]
                     or [1])
        widths = [1800, 2400, 3200, 4200] if digits < 4 else \
            [1800, 2400, 3200] if digits < 5 else [1800, 2400]
        o.update({
            "valign": rng.choice(["top", "center", "bottom"]),
            "label_width": rng.choice(widths),
            "flat_header": rng.random() < 0.25,
            "header_chars": rng.choice([None, None, "chars", "words"]),
            "phantom_trail": rng.random() < 0.25,
            "phantom_lead": rng.random() < 0.15,
            "split_col": rng.choice([None, None, None, 0, 2, 5, 6]),
            "split_side": rng.choice(["left", "right"]),
            "borderless": rng.random() < 0.15,
            "landscape": rng.random() < 0.2,
            "overview_paras": rng.choice([1, 1, 6, 12]),
            "font": rng.choice([18, 21]),
            "text_align": rng.choice([None, None, "center"] + (["distribute"] if SPREAD else [])),
        })
    if fmt == "scan":
        import genscans
        o["scan"] = genscans.draw(rng)
        # A scan is read by its rules: a borderless table is another family.
        o["borderless"] = False
    if fmt == "text":
        style = rng.choice(["markdown", "pipes", "cellpipe", "paragraph", "tabs", "spaces", "flat"])
        o["style"] = style
        if style in ("paragraph", "spaces", "flat"):
            rec = fill_blanks(rec)
    if fmt in ("html", "xls"):
        o["chrome"] = rng.choice([False, False, "lines", "glued"])
        o["irregular"] = rng.random() < 0.2
    if fmt in ("html", "text") and shutil.which("opencc"):
        # The parser reads it converted back: the expected record is the
        # simplified one.
        o["traditional"] = rng.random() < 0.1
    name = "v%04d_%s_%s%s" % (i, fmt if not style else "text-" + style, tpl, "h" if hybrid else "")
    return name, fmt, o, rec


# Text other tools take out of the pdf variant: format -> pdftotext options.
PDF_TEXT = {"pdftext": ["-layout"], "pdfjs": ["-raw"]}


def pdf_to_text(pdf, fmt):
    """The text `fmt` (PDF_TEXT) makes of a PDF, beside it as .txt."""
    out = pdf[:-4] + ".txt"
    subprocess.run(["pdftotext", "-enc", "UTF-8"] + PDF_TEXT[fmt] + [pdf, out], check=True,
                   capture_output=True, timeout=120)
    os.unlink(pdf)
    return out


def raw_pdf_text(pdf):
    """Plain `pdftotext` (no -layout, no -raw) of a PDF, beside it as .txt."""
    out = pdf[:-4] + ".txt"
    subprocess.run(["pdftotext", "-enc", "UTF-8", pdf, out], check=True, capture_output=True,
                   timeout=120)
    os.unlink(pdf)
    return out


def title_variant(rng, i, tpl, rec):
    """A text report (markdown or pipe tables) with its agency and year in
    one of TITLE_FORMS; a town's for the form that names only 我镇."""
    form = TITLE_FORMS[i % len(TITLE_FORMS)] if rng.random() < 0.5 else rng.choice(TITLE_FORMS)
    if form == "opening":
        place = rng.choice(["武定县", "大姚县", "会昌县", "方正县", "吴起县", "崇义县", "安远县"])
        rec = dict(rec, place=place,
                   agency=place + rng.choice([t for t in TOWNS if t.endswith("镇")]) + "人民政府")
    style = rng.choice(["markdown", "pipes", "tabs"])
    # No statistics period: the year comes from the title (or, for the
    # forms without one, the title line's year all the same).
    o = {"title_form": form, "style": style, "period": False}
    name = "v%04d_titles-%s_%s" % (i, form, tpl)
    return name, "text", o, rec


# ---------------------------------------------------------------- text other tools make

# Families of text that tools other than ours make of a report (issue 30).
TEXT_TOOLS = ("pdftext_raw", "transcript")


def text_tool_variant(rng, i, fmt):
    """A variant of TEXT_TOOLS: (name, format, options, record).  The
    family in the name has no underscore (test_layouts splits names on
    it)."""
    if fmt == "pdftext_raw":
        # The pdftext knobs (blanks print as zeros: plain pdftotext drops
        # an empty cell like -layout does), from either PDF producer.
        name, _, o, rec = variant(rng, i, "pdftext")
        o["producer"] = rng.choice(["libreoffice", "chromium"])
        return name.replace("_pdftext_", "_pdftext-raw_"), fmt, o, rec
    tpl = rng.choice(["2019", "2021", "2021"])
    hybrid = tpl == "2021" and rng.random() < 0.15
    rec = random_record(rng, tpl, hybrid)
    o = {"title": rng.choice(["one", "one", "two"]), "period": rng.random() < 0.7,
         "labels": rng.choice(["inline", "before", "before", "after"]),
         "header": rng.choice(["joined", "rows", "lines"]),
         "split": rng.choice([0.0, 0.2, 0.4]),
         "wrap": rng.random() < 0.4,
         "leading_pipe": rng.random() < 0.8}
    name = "v%04d_transcript-%s_%s%s" % (i, o["labels"], tpl, "h" if hybrid else "")
    return name, fmt, o, rec


def _pipe(cells, o):
    return ("| " if o["leading_pipe"] else "") + " | ".join(cells) + " |"


def render_transcript(blocks, o, rng):
    """The document as a transcription tool writes it (TEXT_TOOLS)."""
    lines = []
    for kind, x in blocks:
        if kind == "p":
            lines.append(x)
            continue
        header = []
        for row in x:
            nums = [c for c in row if c.get("num")]
            labels = [c["t"].replace("\n", "") for c in row if not c.get("num") and c["t"]]
            if not nums:
                header.append(labels)
                continue
            if header:
                # The header as the tool saw it: its rows run together into
                # one, kept apart without the separator, or one cell a line.
                if o["header"] == "joined":
                    cells = [t for h in header for t in h]
                    lines.append(_pipe(cells, o))
                    if o["leading_pipe"]:
                        # Markdown's rule line, its count off; rows written
                        # without the leading pipe have none (a blank first
                        # cell would read as no cell under it).
                        lines.append("|" + "---|" * max(1, len(cells) - rng.randrange(0, 3)))
                elif o["header"] == "rows":
                    for h in header:
                        lines.append(_pipe(h, o))
                else:
                    for h in header:
                        lines.extend(h)
                header = []
            vals = [c["t"] for c in nums]
            # A group label (rowspan) stands on its own line; the row's own
            # label is the last one.
            for g in labels[:-1]:
                lines.append(g)
            label = labels[-1] if labels else None
            if label and o["wrap"] and len(label) > 10:
                cut = rng.randrange(4, len(label) - 3)
                label_lines = [label[:cut], label[cut:]]
            else:
                label_lines = [label] if label else []
            parts = [vals]
            if len(vals) > 2 and rng.random() < o["split"]:
                k = rng.randrange(1, len(vals))
                parts = [vals[:k], vals[k:]]
            if o["labels"] == "inline" and label:
                lines.append(_pipe([label] + parts[0], o))
                lines.extend(_pipe(p, o) for p in parts[1:])
                continue
            if o["labels"] == "before":
                lines.extend(label_lines)
            lines.extend(_pipe(p, o) for p in parts)
            if o["labels"] == "after":
                lines.extend(label_lines)
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------- sparse families

def sparsify(rng, rec):
    """Section 三 as small offices print it: most cells zero and left
    blank, each row printing 0 to 7 of its cells, the values spread over
    the applicant columns (not piled into 自然人).  The arithmetic still
    holds, so the parser's checks pass when every cell is read right."""
    hybrid = rec.get("hybrid")
    other = OTHER_2019 if rec["template"] == "2019" or hybrid else OTHER_2021
    outcome = [p for p, _, _ in APP_ROWS_RESULT + other]
    app = {p: [0] * 6 for p in outcome}
    for p in rng.sample(outcome, rng.randrange(1, 5)):
        for c in rng.sample(range(6), rng.choice([1, 1, 2, 2, 3, 4, 5, 6])):
            app[p][c] = rng.randrange(1, 9)
    total = [sum(app[p][c] for p in outcome) for c in range(6)]
    carried_in = [rng.randrange(1, 3) if rng.random() < 0.15 else 0 for _ in range(6)]
    carried_over = [min(carried_in[c] + (1 if rng.random() < 0.15 else 0), carried_in[c] + total[c])
                    for c in range(6)]
    app["new_received"] = [total[c] + carried_over[c] - carried_in[c] for c in range(6)]
    app["carried_in"], app["total"], app["carried_over"] = carried_in, total, carried_over
    applications = {}
    for p, vals in app.items():
        vals = [v or None for v in vals + [sum(vals)]]
        if "." in p:
            g, k = p.split(".")
            applications.setdefault(g, {})[k] = vals
        else:
            applications[p] = vals
    rec = dict(rec)
    rec["applications"] = applications
    return rec


def sparse_variant(rng, i, fmt):
    """A variant of the sparse families: sparse section 三 rows under
    wrapped (narrow columns), stacked (one character per line) or flat
    headers below the spanning 法人或其他组织, section 四 as one, two or
    three tables, section 三 over a page break with its header repeated
    (Word's repeated header rows in DOCX and PDF; two tables, the header
    printed on both, in HTML and DOCX)."""
    tpl = rng.choice(["2019", "2021", "2021"])
    rec = sparsify(rng, random_record(rng, tpl))
    o = {"title": "one", "period": True, "sparse": True,
         "appeal_tables": rng.choice([1, 2, 3]),
         "narrow_values": rng.choice([None, 560, 640, 720]),
         "header_chars": rng.choice([None, None, "chars"]),
         "flat_header": rng.random() < 0.2,
         "split3": rng.choice([None, None, "results", "carried_over"]) if fmt in ("html", "docx") else None}
    if fmt in ("docx", "pdf", "lodocx"):
        o.update({"valign": rng.choice(["top", "center", "bottom"]),
                  "label_width": rng.choice([2400, 3200, 4200]),
                  "font": rng.choice([18, 21]),
                  "repeat_header": rng.random() < 0.4,
                  "vertical_heads": rng.choice([None, None, None, "tbRlV", "btLr"]),
                  "overview_paras": rng.choice([1, 6, 12])})
    name = "s%04d_%s_%s" % (i, fmt, tpl)
    return name, fmt, o, rec


def write_sparse(outdir, count, seed, formats):
    """The sparse families, `formats` taken in turn: html, docx, lodocx,
    pdf (LibreOffice from the docx), chromepdf (Chromium's print to PDF
    of the HTML, a fourth PDF producer with its own glyph placement) and
    text (multi-space rows, blanks dropped: no headers to place by)."""
    rng = random.Random(seed)
    os.makedirs(outdir, exist_ok=True)
    made, lo_pdf, lo_docx, chrome = [], [], [], []
    for i in range(count):
        fmt = formats[i % len(formats)]
        name, fmt, o, rec = sparse_variant(rng, i, fmt)
        blocks = document(rec, o, rng)
        if fmt in ("html", "chromepdf"):
            data, ext = render_html(blocks, o), "html"
        elif fmt == "text":
            # Rows as multi-space text with the blank cells gone, as text
            # copied from a page or extracted from a PDF gives them: no
            # header says where a value was.
            data, ext = render_text(blocks, "spaces"), "txt"
        else:
            data, ext = render_docx(blocks, o, rng), "docx"
        if fmt in ("pdf", "lodocx", "chromepdf"):
            src = os.path.join(outdir, ".src-" + fmt)
            os.makedirs(src, exist_ok=True)
        else:
            src = outdir
        path = os.path.join(src, "%s.%s" % (name, ext))
        with open(path, "wb") as f:
            f.write(data)
        final = {"pdf": ".pdf", "lodocx": ".docx", "chromepdf": ".pdf"}.get(fmt)
        {"pdf": lo_pdf, "lodocx": lo_docx, "chromepdf": chrome}.get(fmt, []).append(path)
        if final:
            path = os.path.join(outdir, name + final)
        with open(os.path.join(outdir, name + ".expected.json"), "w", encoding="utf-8") as f:
            json.dump({"options": o, "format": fmt, "record": expected(rec, fmt, None)},
                      f, ensure_ascii=False, indent=1)
        made.append((name, path))
    if lo_pdf:
        to_pdf(lo_pdf, outdir)
    if lo_docx:
        to_pdf(lo_docx, outdir, "docx:MS Word 2007 XML")
    for p in chrome:
        to_chrome_pdf(p, os.path.join(outdir, os.path.basename(p)[:-5] + ".pdf"))
    for d in (".src-pdf", ".src-lodocx", ".src-chromepdf", ".lo-profile", ".chrome-profile"):
        shutil.rmtree(os.path.join(outdir, d), ignore_errors=True)
    return made


def to_chrome_pdf(src, dst):
    """Chromium's print to PDF (headless, no network: the page is a local
    file with nothing to fetch)."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    profile = os.path.join(os.path.dirname(dst), ".chrome-profile")
    subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    "--user-data-dir=" + os.path.abspath(profile),
                    "--print-to-pdf=" + os.path.abspath(dst), "file://" + os.path.abspath(src)],
                   check=True, capture_output=True, timeout=120)


def to_traditional(data):
    """The document in traditional characters, as mirrors and big5
    gateways republish it (OpenCC's s2t, the `opencc` command)."""
    return subprocess.run(["opencc", "-c", "s2t.json"], input=data, capture_output=True,
                          check=True, timeout=60).stdout


def write_variants(outdir, count, seed, formats=None):
    rng = random.Random(seed)
    os.makedirs(outdir, exist_ok=True)
    pdf_sources = []
    lo_sources = []
    legacy = {"doc": [], "rtf": [], "xls": []}
    scans = []
    chrome_sources = []
    made = []
    for i in range(count):
        fmt = formats[i % len(formats)] if formats else None
        if fmt in TEXT_TOOLS:
            name, fmt, o, rec = text_tool_variant(rng, i, fmt)
        else:
            name, fmt, o, rec = variant(rng, i, fmt)
        blocks = document(rec, o, rng)
        if fmt in ("html", "xls") or o.get("producer") == "chromium":
            data, ext = render_html(blocks, o), "html"
        elif fmt == "transcript":
            data, ext = render_transcript(blocks, o, rng), "txt"
        elif fmt in ("docx", "pdf", "lodocx", "doc", "rtf", "scan", "pdftext_raw") or fmt in PDF_TEXT:
            data, ext = render_docx(blocks, o, rng), "docx"
        else:
            data, ext = render_text(blocks, o["style"]), "txt"
        if o.get("traditional"):
            data = to_traditional(data)
        path = os.path.join(outdir, "%s.%s" % (name, ext))
        if fmt == "lodocx" or fmt in legacy:
            # Written here, saved again by LibreOffice: its own grid,
            # spans and merges, as a Word file resaved by an office suite.
            os.makedirs(os.path.join(outdir, ".lo-src"), exist_ok=True)
            path = os.path.join(outdir, ".lo-src", "%s.%s" % (name, ext))
        with open(path, "wb") as f:
            f.write(data)
        if fmt in ("pdf", "scan") or fmt in PDF_TEXT or o.get("producer") == "libreoffice":
            pdf_sources.append(path)
            path = path[:-5] + ".pdf"
        if o.get("producer") == "chromium":
            chrome_sources.append(path)
            path = path[:-5] + ".pdf"
        if fmt == "scan":
            scans.append((path, o["scan"]))
        if fmt == "lodocx":
            lo_sources.append(path)
            path = os.path.join(outdir, "%s.docx" % name)
        if fmt in legacy:
            legacy[fmt].append(path)
            path = os.path.join(outdir, "%s.%s" % (name, fmt))
        with open(os.path.join(outdir, name + ".expected.json"), "w", encoding="utf-8") as f:
            json.dump({"options": o, "format": fmt, "record": expected(rec, fmt, o.get("style"))},
                      f, ensure_ascii=False, indent=1)
        made.append((name, path))
    if pdf_sources:
        to_pdf(pdf_sources, outdir)
        for p in pdf_sources:
            os.unlink(p)
        made = [(n, pdf_to_text(p, n.split("_")[1]) if n.split("_")[1] in PDF_TEXT else p)
                for n, p in made]
    for p in chrome_sources:
        to_chrome_pdf(p, p[:-5] + ".pdf")
        os.unlink(p)
    shutil.rmtree(os.path.join(outdir, ".chrome-profile"), ignore_errors=True)
    made = [(n, raw_pdf_text(p) if n.split("_")[1] == "pdftext-raw" else p) for n, p in made]
    for path, so in scans:
        import genscans
        genscans.scan_pdf(path, path + ".scan", so)
        os.replace(path + ".scan", path)
    if lo_sources:
        to_pdf(lo_sources, outdir, "docx:MS Word 2007 XML")
    for fmt, target, infilter in (("doc", "doc:MS Word 97", None), ("rtf", "rtf", None),
                                  ("xls", "xls:MS Excel 97", "HTML (StarCalc)")):
        if legacy[fmt]:
            to_pdf(legacy[fmt], outdir, target, infilter)
    if lo_sources or any(legacy.values()):
        shutil.rmtree(os.path.join(outdir, ".lo-src"), ignore_errors=True)
    return made


def to_pdf(paths, outdir, target="pdf", infilter=None):
    profile = os.path.join(outdir, ".lo-profile")
    # Batches keep one soffice start for many files.
    for k in range(0, len(paths), 40):
        subprocess.run(["soffice", "-env:UserInstallation=file://" + os.path.abspath(profile),
                        "--headless"] + (["--infilter=" + infilter] if infilter else []) +
                       ["--convert-to", target, "--outdir", outdir] + paths[k:k + 40],
                       check=True, capture_output=True, timeout=900)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--formats", help="comma list: html,docx,pdf,text (default: drawn)")
    a = ap.parse_args()
    made = write_variants(a.outdir, a.count, a.seed, a.formats.split(",") if a.formats else None)
    print("%d variants in %s" % (len(made), a.outdir))


if __name__ == "__main__":
    main()
