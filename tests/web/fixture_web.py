#!/usr/bin/env python3
"""A loopback web of fixture government portals, for the crawl tests and
benchmarks.

    fixture_web.py DATA_DIR LOG_FILE [--port N] [--bench-hosts H --bench-pages P]

Serves many virtual hosts on one 127.0.0.1 port (the Host header picks the
site; the crawler maps every host here with --connect-to).  Prints the port
on stdout once listening, and appends one JSON line per request to LOG_FILE:
{"t": arrival time, "host", "path", "status", "ua"}.

The sites copy what real county portals do: GBK pages, TRS createPageHTML
pagination, a Hanweb datastore shell with dataproxy.jsp, JS page counters,
attachments on a file server, GBK Content-Disposition names, a robots.txt
with a group for us, 429 with Retry-After, a redirect loop, a 404 report
link, a 瑞数-style 412 challenge, a slow page, a 政府网站年度报表 trap and a
hijacked mirror.  The report bodies are the test data (tests/data), so each
site's expected records are known.
"""
import argparse
import html
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "layouts"))
from make_broken import scan_pdf  # noqa: E402
from make_costly_pdfs import shared_content_pdf, xobject_bomb_pdf  # noqa: E402
import genlayouts  # noqa: E402

# ---- page templates ----------------------------------------------------


def portal_page(site, title, crumbs, body, charset="utf-8", head_extra=""):
    """A page inside a portal template: nav, breadcrumb, footer, 相关链接."""
    nav = "".join(f'<li><a href="{h}">{t}</a></li>' for t, h in site["nav"])
    crumb = " &gt; ".join(f'<a href="{h}">{t}</a>' for t, h in crumbs)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{title}_{site['name']}</title>{head_extra}
</head><body>
<div class="top"><div class="logo"><img src="/images/logo.png" alt="{site['name']}"></div>
<div class="search"><form action="/search/search.jsp"><input name="q"></form></div></div>
<div class="nav"><ul>{nav}</ul></div>
<div class="location">当前位置：{crumb}</div>
<div class="main">{body}</div>
<div class="links"><h3>相关链接</h3><a href="http://www.gov.cn/">中国政府网</a>
<a href="http://www.yn.gov.cn/">省政府门户网站</a></div>
<div class="footer">主办：{site['name']}办公室　地址：人民路1号　ICP备案号：滇ICP备05000000号
<script type="text/javascript">document.write(unescape("%3Cspan id='_ideConac'%3E%3C/span%3E"));</script></div>
</body></html>"""


def report_html(text):
    """A report's text as an article body: tab and pipe rows become table
    rows (how report pages carry their tables), other lines paragraphs."""
    out, table = [], []

    def flush():
        if table:
            out.append('<table border="1" cellspacing="0">' + "".join(table) + "</table>")
            table.clear()

    for line in text.splitlines():
        s = line.strip()
        if s.startswith("|") and set(s.replace("|", "").strip()) <= set("-: "):
            continue  # markdown rule
        if "\t" in line or s.startswith("|"):
            cells = s.strip("|").split("|") if s.startswith("|") else line.split("\t")
            table.append("<tr>" + "".join(f"<td>{html.escape(c.strip())}</td>" for c in cells) + "</tr>")
            continue
        flush()
        s = s.lstrip("#").strip().replace("**", "")
        if s:
            out.append(f"<p>{html.escape(s)}</p>")
    flush()
    return '<div class="TRS_Editor">' + "\n".join(out) + "</div>"


def article(site, title, date, body_html, crumbs, charset="utf-8"):
    body = f"""<div class="article"><h1 class="title">{title}</h1>
<div class="info">发布日期：{date}　来源：{site['name']}　浏览次数：<span id="count">0</span></div>
{body_html}
<div class="share">分享到：<a href="javascript:void(0)">微信</a></div>
<div class="prevnext">上一篇：<a href="/news/1.html">关于开展安全生产检查的通知</a></div></div>"""
    return portal_page(site, title, crumbs, body, charset)


# ---- responses -----------------------------------------------------------


def R(body=b"", status=200, ctype="text/html; charset=utf-8", headers=None, delay=0.0,
      first=None):
    """A route: status, headers, body; `first` is a different answer for the
    first request only (429 then 200)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    # Every page carries a validator, so a second crawl can ask "changed?".
    h = {"Content-Type": ctype, "Last-Modified": "Mon, 15 Mar 2021 08:00:00 GMT"}
    h.update(headers or {})
    return {"status": status, "headers": h, "body": body, "delay": delay, "first": first}


def gbk(page):
    return R(page.encode("gbk"), ctype="text/html; charset=GBK")


def build_sites(data):
    rd = lambda *p: open(os.path.join(data, *p), "rb").read()
    rt = lambda *p: open(os.path.join(data, *p), encoding="utf-8").read()
    sites = {}

    # 1. 武定县: UTF-8 TRS portal, createPageHTML pagination, a trap, a mirror.
    s = {"name": "武定县人民政府", "nav": [("首页", "/"), ("政务公开", "/zwgk/"), ("新闻中心", "/news/")]}
    col = "/zwgk/zfxxgknb/"
    crumbs = [("首页", "/"), ("政务公开", "/zwgk/"), ("政府信息公开年报", col)]
    item = lambda href, t, d: f'<li><a href="{href}" title="{t}" target="_blank">{t[:22]}...</a><span>{d}</span></li>'
    list1 = ("<ul class=\"list\">"
             + item("./202103/t20210315_101.html", "武定县工业信息化商务科学技术局2020年政府信息公开工作年度报告", "2021-03-15")
             + item("../zfwzndbb/202101/t20210120_99.html", "武定县人民政府2020年政府网站工作年度报表", "2021-01-20")
             + "</ul><div class=\"page\"><script>createPageHTML(2, 0, \"index\", \"html\");</script></div>")
    list2 = ("<ul class=\"list\">"
             + item("./202102/t20210210_88.html", "大姚县农业农村局2020年政府信息公开工作年度报告", "2021-02-10")
             + '<li><a href="http://www.aji87.cn/zwgk/zfxxgknb/202102/t20210210_88.html">武定县2020年政府信息公开年报（转载）</a></li>'
             + "</ul><div class=\"page\"><script>createPageHTML(2, 1, \"index\", \"html\");</script></div>")
    sites["www.wd.gov.cn"] = {
        "/": R(portal_page(s, "首页", [("首页", "/")], '<div class="news"><a href="/news/2.html">县长调研工业园区</a></div>'
                           '<div class="gk"><a href="/zwgk/">政务公开</a></div>')),
        "/zwgk/": R(portal_page(s, "政务公开", crumbs[:2], '<ul><li><a href="/zwgk/zfxxgkzn/">政府信息公开指南</a></li>'
                                '<li><a href="/zwgk/zfxxgknb/">政府信息公开年报</a></li><li><a href="/zwgk/tzgg/">通知公告</a></li></ul>')),
        col: R(portal_page(s, "政府信息公开年报", crumbs, list1)),
        col + "index.html": R(portal_page(s, "政府信息公开年报", crumbs, list1)),
        col + "index_1.html": R(portal_page(s, "政府信息公开年报", crumbs, list2)),
        col + "202103/t20210315_101.html": R(article(
            s, "武定县工业信息化商务科学技术局2020年政府信息公开工作年度报告", "2021-03-15",
            report_html(rt("seeds", "000_824da00c0d8709d8.txt")), crumbs)),
        col + "202102/t20210210_88.html": R(article(
            s, "大姚县农业农村局2020年政府信息公开工作年度报告", "2021-02-10",
            report_html(rt("reports", "own_2019_variants.md")), crumbs)),
    }

    # 2. 方正县: GBK Hanweb shell with datastore + dataproxy.jsp, a DOCX
    # behind download.jsp with a raw-GBK file name, a scan.
    s = {"name": "方正县人民政府", "nav": [("首页", "/"), ("信息公开", "/col/col1200/index.html")]}
    crumbs = [("首页", "/"), ("政府信息公开年报", "/col/col1229/index.html")]
    rec = lambda href, t, d: f'<record><![CDATA[<li><a href="{href}" title="{t}">{t}</a><span>{d}</span></li>]]></record>'
    records = [rec("/art/2021/1/30/art_1229_101.html", "方正县工业信息科技局2020年政府信息公开工作年度报告", "2021-01-30"),
               rec("/art/2022/1/28/art_1229_102.html", "方正县民政局2021年政府信息公开工作年度报告（图片版）", "2022-01-28"),
               rec("/art/2022/3/1/art_1229_103.html", "关于开展2022年防汛应急演练的通知", "2022-03-01"),
               rec("/art/2022/1/20/art_1229_104.html", "方正县卫生健康局2021年政府信息公开工作年度报告", "2022-01-20")]
    shell = ('<div id="1229"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=7&path=/&columnid=1229&unitid=5&webname=%E6%96%B9%E6%AD%A3&permissiontype=0&perpage=1"></a>]]></nextgroup>'
             '<recordset>' + "".join(records[:3]) + '</recordset></datastore></script>'
             '<script src="/module/web/jpage/jquery.js"></script><totalrecord>4</totalrecord></div>')
    proxy = ('<?xml version="1.0" encoding="GBK"?><datastore><totalrecord>4</totalrecord><recordset>'
             + records[3] + "</recordset></datastore>")
    fname = "方正县工业信息科技局2020年政府信息公开工作年度报告.docx".encode("gbk")
    sites["www.hrbfz.gov.cn"] = {
        "/col/col1229/index.html": gbk(portal_page(s, "政府信息公开年报", crumbs, shell, "gbk")),
        "/module/web/jpage/dataproxy.jsp": {"dataproxy": proxy.encode("gbk")},
        "/art/2021/1/30/art_1229_101.html": gbk(article(
            s, "方正县工业信息科技局2020年政府信息公开工作年度报告", "2021-01-30",
            '<p>详见附件。</p><p>附件：<a href="/module/download/downfile.jsp?classid=0&filename=2101301200.docx">'
            '方正县工业信息科技局2020年政府信息公开工作年度报告.docx</a></p>', crumbs, "gbk")),
        "/module/download/downfile.jsp": R(rd("reports", "docx_seed_001.docx"),
                                           ctype="application/octet-stream",
                                           headers={"Content-Disposition": b'attachment; filename="' + fname + b'"'}),
        "/art/2022/1/28/art_1229_102.html": gbk(article(
            s, "方正县民政局2021年政府信息公开工作年度报告（图片版）", "2022-01-28",
            '<p><a href="/picture/0/2201281030.pdf">方正县民政局2021年政府信息公开工作年度报告（图片版）.pdf</a></p>',
            crumbs, "gbk")),
        "/picture/0/2201281030.pdf": R(scan_pdf(), ctype="application/pdf"),
        "/art/2022/1/20/art_1229_104.html": gbk(article(
            s, "方正县卫生健康局2021年政府信息公开工作年度报告", "2022-01-20",
            report_html(rt("reports", "own_2021_broken.txt")), crumbs, "gbk")),
    }

    # 3. 淮安市: section -> column with a JS page counter -> report pages
    # whose PDFs sit on a separate file server.
    s = {"name": "淮安市人民政府", "nav": [("首页", "/"), ("政府信息公开", "/zfxxgk/")]}
    colp = "/zfxxgk/ndbg/"
    crumbs = [("首页", "/"), ("政府信息公开", "/zfxxgk/"), ("政府信息公开年报", colp + "column-index-1.shtml")]
    pdfs = [("淮安市人民政府2024年政府信息公开工作年度报告", "real_huaian_shi_2024_szfgs2024.pdf", "2025-01-20", "t_9001"),
            ("淮安市洪泽区人民政府2023年政府信息公开工作年度报告", "real_hzq2023_working.pdf", "2024-01-22", "t_8001"),
            ("淮安市洪泽区人民政府2024年政府信息公开工作年度报告", "real_hzq2024_working.pdf", "2025-01-21", "t_9002")]
    site = {"/": R(portal_page(s, "首页", [("首页", "/")], '<a href="/zfxxgk/">政府信息公开</a>')),
            "/zfxxgk/": R(portal_page(s, "政府信息公开", crumbs[:2],
                                      f'<a href="{colp}column-index-1.shtml">政府信息公开年报</a>'
                                      '<a href="/zfxxgk/zfwznb/">政府网站年报</a>'))}
    per_page = [pdfs[:2], pdfs[2:]]
    for n, group in enumerate(per_page, 1):
        items = "".join(f'<li><a href="{colp}{p[3]}.html">{p[0]}</a><span>{p[2]}</span></li>' for p in group)
        site[f"{colp}column-index-{n}.shtml"] = R(portal_page(
            s, "政府信息公开年报", crumbs, f'<ul>{items}</ul><script>var countPage = 2;//共多少页</script>'
            '<div id="pager"></div><script src="/js/page.js"></script>'))
    for title, f, date, tid in pdfs:
        site[f"{colp}{tid}.html"] = R(article(
            s, title, date, f'<p>{title}</p><p>附件：<a href="http://file.huaian.gov.cn/uploadfiles/{tid}.pdf">{title}.pdf</a></p>', crumbs))
    sites["www.huaian.gov.cn"] = site
    sites["file.huaian.gov.cn"] = {f"/uploadfiles/{p[3]}.pdf": R(rd("reports", p[1]), ctype="application/pdf") for p in pdfs}

    # 4. 乌苏市: robots.txt with a group for govharvest (a Crawl-delay and a
    # disallowed 2021 path) and a '*' group that would forbid everything.
    s = {"name": "乌苏市人民政府", "nav": [("首页", "/"), ("信息公开", "/xxgk/")]}
    crumbs = [("首页", "/"), ("政府信息公开年报", "/xxgk/nb/")]
    sites["www.wusu.gov.cn"] = {
        "/robots.txt": R("User-agent: *\nDisallow: /\n\nUser-agent: GovHarvest/0.1\nUser-agent: spider\n"
                         "Disallow: /xxgk/nb/2021/\nAllow: /xxgk/nb/2021/index\nCrawl-delay: 0.3\n"
                         "Sitemap: http://www.wusu.gov.cn/sitemap.xml\n", ctype="text/plain"),
        "/xxgk/nb/": R(portal_page(s, "政府信息公开年报", crumbs,
                                   '<ul><li><a href="/xxgk/nb/2020/P020210301.docx">乌苏市商务和工业信息化局2020年政府信息公开工作年度报告.docx</a></li>'
                                   '<li><a href="/xxgk/nb/2021/t20220120_5.html">乌苏市人民政府2021年政府信息公开工作年度报告</a></li></ul>')),
        "/xxgk/nb/2020/P020210301.docx": R(rd("reports", "docx_seed_004.docx"),
                                           ctype="application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "/xxgk/nb/2021/t20220120_5.html": R("<p>never fetched: robots.txt disallows it</p>"),
    }

    # 5. 吴忠市: the column answers 429 with Retry-After once.
    s = {"name": "吴忠市人民政府", "nav": [("首页", "/")]}
    colw = "/xxgk/zfxxgkml/ndbg/"
    crumbs = [("首页", "/"), ("政府信息公开年报", colw)]
    sites["www.wuzhong.gov.cn"] = {
        colw: R(portal_page(s, "政府信息公开年报", crumbs,
                            f'<a href="{colw}202102/t20210205_2612.html">吴忠市工业和信息化局2020年政府信息公开工作年度报告</a>'),
                first=R("<html><body>Too Many Requests</body></html>", status=429, headers={"Retry-After": "1"})),
        colw + "202102/t20210205_2612.html": R(article(
            s, "吴忠市工业和信息化局2020年政府信息公开工作年度报告", "2021-02-05",
            report_html(rt("seeds", "002_36229eadd8369f27.txt")), crumbs)),
    }

    # 6. 大姚县: a slow report, a 404, a redirect loop, a 瑞数-style 412.
    s = {"name": "大姚县人民政府", "nav": [("首页", "/")]}
    cold = "/info/egovinfo/1007/nb.htm"
    crumbs = [("首页", "/"), ("政府信息公开年报", cold)]
    links = [("/info/1007/38121.htm", "大姚县工业信息化商务科学技术局2022年政府信息公开工作年度报告"),
             ("/info/1007/404.htm", "大姚县人民政府2019年政府信息公开工作年度报告"),
             ("/info/1007/loop.htm", "大姚县教育体育局2021年政府信息公开工作年度报告"),
             ("/info/1007/ts.htm", "大姚县卫生健康局2021年政府信息公开工作年度报告")]
    sites["www.dayao.gov.cn"] = {
        cold: R(portal_page(s, "政府信息公开年报", crumbs,
                            "<ul>" + "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in links) + "</ul>")),
        "/info/1007/38121.htm": R(article(s, links[0][1], "2023-01-16",
                                          report_html(rt("seeds", "003_aecd962d443dcedf.txt")), crumbs), delay=1.5),
        "/info/1007/404.htm": R("<html><body><h1>404 Not Found</h1></body></html>", status=404),
        "/info/1007/loop.htm": R("", status=302, headers={"Location": "/info/1007/loop2.htm"}),
        "/info/1007/loop2.htm": R("", status=302, headers={"Location": "/info/1007/loop.htm"}),
        "/info/1007/ts.htm": R('<html><head><meta id="9DhefwqGPrzGxEp9hPaoag" content="x">'
                               '<script type="text/javascript">$_ts=window[\'$_ts\'];if(!$_ts)$_ts={};$_ts.nsd=1;</script>'
                               '<script src="/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js" r="m"></script></head><body></body></html>',
                               status=412),
    }
    # 7. 上海市, over HTTPS with a self-signed certificate (served on the TLS
    # port when the server is given one): a TLS error unless the operator
    # allows this host.
    s = {"name": "上海市人民政府", "nav": [("首页", "/")]}
    crumbs = [("首页", "/"), ("政府信息公开年报", "/nw12344/")]
    sites["www.shanghai.gov.cn"] = {
        "/nw12344/": R(portal_page(s, "政府信息公开年报", crumbs,
                                   '<a href="/nw12344/20200131/0001-12344_63958.html">2019年上海市人民政府办公厅政府信息公开工作年度报告</a>')),
        "/nw12344/20200131/0001-12344_63958.html": R(article(
            s, "2019年上海市人民政府办公厅政府信息公开工作年度报告", "2020-01-31",
            rt("reports", "real_shanghai_2019.html"), crumbs)),
    }
    sites["www.hostile.gov.cn"] = hostile_site(data)
    sites["www.tarpit.gov.cn"] = tarpit_site()
    sites.update(budget_sites())
    sites["www.bomb.gov.cn"] = bomb_site()
    sites["www.costly.gov.cn"] = costly_site()
    # A column whose first report always fails with 500 (so every retry
    # sends the host's scan back to it) ahead of six sound pages
    # (tests/test_crashsafe.py, retries while commits are slow).
    s = {"name": "重试县人民政府", "nav": [("首页", "/")]}
    crumbs = [("首页", "/"), ("政府信息公开年报", "/nb/")]
    items = "".join(f'<li><a href="/nb/{i}.html">重试县第{i}局2023年政府信息公开工作年度报告</a></li>'
                    for i in range(7))
    retry = {"/nb/": R(portal_page(s, "政府信息公开年报", crumbs, f"<ul>{items}</ul>")),
             "/nb/0.html": R("<h1>Server Error</h1>", status=500, delay=0.15)}
    for i in range(1, 7):
        retry[f"/nb/{i}.html"] = R(portal_page(s, f"重试县第{i}局2023年政府信息公开工作年度报告", crumbs,
                                               "<p>本年度共收到政府信息公开申请0件。</p>"))
    sites["www.retry.gov.cn"] = retry
    sites["www.xingguo.gov.cn"] = xingguo_site()
    # A portal a seed list may hold by mistake: nothing on it leads to reports.
    s = {"name": "于都县人民政府", "nav": [("首页", "/"), ("新闻", "/news/")]}
    sites["www.yudu.gov.cn"] = {
        "/": R(portal_page(s, "首页", [("首页", "/")], '<ul><li><a href="/news/1.html">'
                           '县长调研春耕生产</a></li><li><a href="/news/2.html">关于开展2024年防汛演练的通知'
                           '</a></li></ul>')),
    }
    # robots.txt that always answers 503: RFC 9309 says assume complete
    # disallow, so nothing else on the host may be fetched.
    sites["www.robots503.gov.cn"] = {
        "/robots.txt": R("<h1>503</h1>", status=503),
        "/nb/": R("<p>never fetched</p>"),
    }
    # A portal whose robots.txt asks a minute between requests
    # (tests/test_daemon.py: no reload or request may shorten it).
    s = {"name": "耐心县人民政府", "nav": [("首页", "/")]}
    crumbs = [("首页", "/"), ("政府信息公开年报", "/nb/")]
    sites["www.patient.gov.cn"] = {
        "/robots.txt": R("User-agent: *\nAllow: /\nCrawl-delay: 60\n", ctype="text/plain"),
        "/nb/": R(portal_page(s, "政府信息公开年报", crumbs,
                              '<ul><li><a href="/nb/1.html">耐心县民政局2023年政府信息公开工作年度报告</a></li></ul>')),
    }
    # A portal that accepts and then says nothing for 30 s (a hung
    # application server behind a live load balancer): the crawler must
    # wait for it asleep (tests/test_hostile.py, hung_host).
    sites["www.hung.gov.cn"] = {"/nb/": {"fault": "hang"}}
    return sites


def generated_docx(agency, year, seed):
    """A report of the layout generator as DOCX, for a given agency/year."""
    import random
    rng = random.Random(seed)
    rec = genlayouts.random_record(rng, "2021")
    rec["agency"], rec["year"] = agency, year
    return genlayouts.render_docx(genlayouts.document(rec, {"title": "one"}, rng), {}, rng)


# The discovery shapes of tests/test_crawl.py's test_discovery_shapes (with
# XINGGUO_EXPECTED there): a root that moves on by <meta refresh>, a section
# page that moves on by script, a column whose sub-columns are named for
# groups of agencies (not under its path, no column token), one of them a
# Hanweb JPaaS column (unitbuild.js), report pages that wrap their files in
# a Hanweb downfile.jsp ("点击下载") and a VSB download.jsp that answers an
# error page without a Referer.
def xingguo_site():
    s = {"name": "兴国县人民政府", "nav": [("首页", "/index.html"), ("政务公开", "/zwgk/index.html")]}
    col = "/col/col3300/index.html"
    crumbs = [("首页", "/index.html"), ("政务公开", "/zwgk/index.html"), ("政府信息公开年报", col)]
    items = lambda links: "<ul>" + "".join(f'<li><a href="{h}" target="_blank">{t}</a></li>'
                                           for h, t in links) + "</ul>"
    t1 = "兴国县统计局2023年政府信息公开工作年度报告"
    t2 = "兴国县长冈乡人民政府2023年政府信息公开工作年度报告"
    return {
        "/": R('<html><head><meta http-equiv="refresh" content="0;url=/index.html"></head>'
               "<body></body></html>"),
        "/index.html": R("<html><head><title>兴国县人民政府</title></head><body>"
                         '<script type="text/javascript">window.location.href="/zwgk/index.html";</script>'
                         "</body></html>"),
        "/zwgk/index.html": R(portal_page(s, "政务公开", crumbs[:2], items(
            [("/col/col3200/index.html", "政府信息公开指南"), (col, "政府信息公开年报"),
             ("/col/col3400/index.html", "通知公告")]))),
        col: R(portal_page(s, "政府信息公开年报", crumbs, items(
            [("/col/col3301/index.html", "县直部门"), ("/col/col3302/index.html", "乡镇（街道）"),
             ("/col/col3303/index.html", "关于我们")]))),
        "/col/col3301/index.html": R(portal_page(s, "县直部门", crumbs, items(
            [("/art/2024/1/20/art_3301_1.html", t1)]))),
        # A Hanweb JPaaS column: the list comes from the API its
        # unitbuild.js tag declares.
        "/col/col3302/index.html": R(portal_page(
            s, "乡镇（街道）", crumbs, '<div id="list"></div><script type="text/javascript" '
            'src="/module/jpage/AuthorizedRead/unitbuild.js" '
            'url="/api-gateway/jpaas-publish-server/front/page/build/unit" '
            "queryData=\"{'webId':'a1','pageId':'3302','tagId':'list'}\"></script>")),
        "/api-gateway/jpaas-publish-server/front/page/build/unit": R(
            json.dumps({"data": {"html": items([("/art/2024/1/22/art_3302_1.html", t2)])},
                        "result": True}, ensure_ascii=False), ctype="application/json;charset=UTF-8"),
        "/art/2024/1/20/art_3301_1.html": R(article(
            s, t1, "2024-01-20", '<p>附件：<a href="/module/download/downfile.jsp?classid=0&amp;'
            'filename=2401201200.docx">点击下载</a></p>', crumbs)),
        "/module/download/downfile.jsp": R(generated_docx("兴国县统计局", 2023, 11),
                                           ctype="application/octet-stream"),
        "/art/2024/1/22/art_3302_1.html": R(article(
            s, t2, "2024-01-22", '<p><a href="/system/_content/download.jsp?urltype=news.DownloadAttachUrl'
            '&amp;owner=1&amp;wbfileid=5501">下载</a></p>', crumbs)),
        "/system/_content/download.jsp": {"need_referer": R(
            generated_docx("兴国县长冈乡人民政府", 2023, 12), ctype="application/octet-stream"),
            "else": R("<html><body>非法访问</body></html>")},
    }


# Faults served by www.hostile.gov.cn (tests/test_hostile.py): each a report
# link on its column, each answered badly in its own way.  The values say
# what to do; Handler.fault() does it on the raw socket.
FAULTS = [
    ("reset.html", "reset"),          # headers, 100 bytes, then a TCP reset
    ("drip.html", "drip"),            # one byte a second, past the timeout
    ("chunked.html", "chunked_cut"),  # a chunked body that stops mid-chunk
    ("short.html", "short"),          # Content-Length 10000, 100 bytes, close
    ("huge.pdf", "huge"),             # Content-Length of 2 GiB
    ("endless.pdf", "endless"),       # a chunked body that never ends
    ("bomb.html", "gzip_bomb"),       # 64 MiB of zeros, gzip-compressed
    ("hop1.html", "hops"),            # a 30-hop redirect chain
    ("e500.html", "500"),
    ("e502.html", "502"),
    ("e503.html", "503_then_ok"),     # 503 Retry-After: 1, then the report
    ("e429.html", "429_absurd"),      # Retry-After: 999999
    ("errpage.pdf", "error_page"),    # 200, an HTML error page instead of the PDF
    ("mislabelled.html", "pdf_as_html"),  # a real PDF sent as text/html
    ("gbk.html", "gbk_as_utf8"),      # a GBK page declared UTF-8
    ("badutf8.html", "bad_utf8"),     # UTF-8 with stray bytes
    ("oneline.html", "one_line"),     # 10 MB on one line
    ("deep.html", "deep"),            # 100,000 nested elements
    ("headers.html", "endless_header"),  # header lines without end
    ("trunc.pdf", "truncated_pdf"),
    ("good.html", "good"),            # a sound report: it must land
]


def hostile_site(data):
    rd = lambda *p: open(os.path.join(data, *p), "rb").read()
    rt = lambda *p: open(os.path.join(data, *p), encoding="utf-8").read()
    s = {"name": "测试县人民政府", "nav": [("首页", "/")]}
    crumbs = [("首页", "/"), ("政府信息公开年报", "/nb/")]
    items = "".join(f'<li><a href="/nb/{f}">测试县第{i}局2023年政府信息公开工作年度报告</a></li>'
                    for i, (f, _) in enumerate(FAULTS, 1))
    # A real attachment name of 70 Chinese characters: 600+ bytes once
    # percent-encoded, over LMDB's 511-byte key limit; and a link of 9 KB.
    longname = "/nb/附件/" + ("洪泽区人民政府关于印发二〇二三年度政府信息公开工作年度报告的通知附件" * 2)[:70] + ".pdf"
    items += f'<li><a href="{longname}">洪泽区人民政府2023年政府信息公开工作年度报告（附件）</a></li>'
    items += f'<li><a href="/nb/x.html?q={"长" * 3000}">测试县超长链接2023年政府信息公开工作年度报告</a></li>'
    site = {"/nb/": R(portal_page(s, "政府信息公开年报", crumbs, f"<ul>{items}</ul>"))}
    site[longname] = R(rd("reports", "real_hzq2023_working.pdf"),
                                           ctype="application/pdf")
    for f, kind in FAULTS:
        site["/nb/" + f] = {"fault": kind}
    # What the sound answers carry.
    site["_good"] = R(article(s, "乌苏市商务和工业信息化局2020年政府信息公开工作年度报告", "2021-03-01",
                              report_html(rt("seeds", "004_188cb6b0829351fe.txt")), crumbs))
    site["_503"] = R(article(s, "吴忠市工业和信息化局2020年政府信息公开工作年度报告", "2021-02-05",
                             report_html(rt("seeds", "002_36229eadd8369f27.txt")), crumbs))
    site["_pdf"] = rd("reports", "real_hzq2024_working.pdf")
    site["_gbk"] = rd("reports", "own_2021_gbk_portal.html")
    bad = article(s, "武定县工业信息化商务科学技术局2020年政府信息公开工作年度报告", "2021-03-15",
                  report_html(rt("seeds", "000_824da00c0d8709d8.txt")), crumbs).encode()
    site["_bad"] = bad.replace("一、总体情况".encode(), b"\xff" + "一、总体情况".encode() + b"\xe5\xb9", 1)
    pdf = rd("reports", "real_hzq2023_working.pdf")
    site["_trunc"] = pdf[: len(pdf) // 3]
    return site


def tarpit_site():
    """A host whose every report drips one byte a second (tests/test_hostile.py:
    the crawl sets it aside after [crawl] host_failures, instead of waiting
    out each of its 30 URLs)."""
    s = {"name": "陷阱县人民政府", "nav": [("首页", "/")]}
    items = "".join(f'<li><a href="/nb/t{i}.html">陷阱县第{i}局2023年政府信息公开工作年度报告</a></li>'
                    for i in range(30))
    site = {"/nb/": R(portal_page(s, "政府信息公开年报", [("首页", "/")], f"<ul>{items}</ul>"))}
    for i in range(30):
        site[f"/nb/t{i}.html"] = {"fault": "drip"}
    return site


def bomb_site():
    """A county whose four report PDFs are form-XObject bombs whose forms
    are LZW-encoded, which the pre-scan (extract/pdfscan.c) does not
    decode: each costs a worker until its cap (the extraction breaker's
    host: tests/test_hostile.py, breaker)."""
    s = {"name": "炸弹县人民政府", "nav": [("首页", "/")]}
    items = "".join(f'<li><a href="/nb/b{i}.pdf">炸弹县第{i}局2023年政府信息公开工作年度报告</a></li>'
                    for i in range(4))
    site = {"/nb/": R(portal_page(s, "政府信息公开年报", [("首页", "/")], f"<ul>{items}</ul>"))}
    for i in range(4):
        site[f"/nb/b{i}.pdf"] = R(xobject_bomb_pdf(40 + i, "lzw"), ctype="application/pdf")
    return site


def costly_site():
    """A county whose eight report PDFs are a few KB each and would cost
    poppler minutes: four of nested form XObjects, four of pages sharing a
    content stream.  The pre-scan refuses them at once as too_costly
    (tests/test_hostile.py, prescan)."""
    s = {"name": "代价县人民政府", "nav": [("首页", "/")]}
    items = "".join(f'<li><a href="/nb/c{i}.pdf">代价县第{i}局2023年政府信息公开工作年度报告</a></li>'
                    for i in range(8))
    site = {"/nb/": R(portal_page(s, "政府信息公开年报", [("首页", "/")], f"<ul>{items}</ul>"))}
    for i in range(8):
        body = xobject_bomb_pdf(40 + i) if i < 4 else shared_content_pdf(1000 + i, 1)
        site[f"/nb/c{i}.pdf"] = R(body, ctype="application/pdf")
    return site


def budget_sites():
    """A tarpit that dodges a failure count reset by successes: report links
    that drip alternate with links that answer 404 at once; and a slow but
    sound portal whose every page takes 0.8 s (tests/test_hostile.py,
    budget: the first is set aside by its time in failed transfers, the
    second never)."""
    s = {"name": "滴漏县人民政府", "nav": [("首页", "/")]}
    items = "".join(f'<li><a href="/nb/d{i}.html">滴漏县第{i}局2023年政府信息公开工作年度报告</a></li>'
                    f'<li><a href="/nb/m{i}.html">滴漏县第{i}局2022年政府信息公开工作年度报告</a></li>'
                    for i in range(8))
    drip = {"/nb/": R(portal_page(s, "政府信息公开年报", [("首页", "/")], f"<ul>{items}</ul>"))}
    for i in range(8):
        drip[f"/nb/d{i}.html"] = {"fault": "drip"}
    s = {"name": "缓慢县人民政府", "nav": [("首页", "/")]}
    crumbs = [("首页", "/"), ("政府信息公开年报", "/nb/")]
    items = "".join(f'<li><a href="/nb/{i}.html">缓慢县第{i}局2023年政府信息公开工作年度报告</a></li>'
                    for i in range(6))
    slow = {"/nb/": R(portal_page(s, "政府信息公开年报", crumbs, f"<ul>{items}</ul>"))}
    for i in range(6):
        slow[f"/nb/{i}.html"] = R(portal_page(s, f"缓慢县第{i}局2023年政府信息公开工作年度报告", crumbs,
                                              "<p>本年度共收到政府信息公开申请0件。</p>"), delay=0.8)
    return {"www.drip404.gov.cn": drip, "www.slow.gov.cn": slow}


def bench_sites(hosts, pages):
    """H hosts x P pages: a column with P-1 list links, each a small report
    page, for throughput and politeness-bound measurements."""
    sites = {}
    for h in range(hosts):
        name = f"www.bench{h:04d}.gov.cn"
        s = {"name": f"基准{h}县人民政府", "nav": [("首页", "/")]}
        items = "".join(f'<li><a href="/nb/{p}.html">基准{h}县第{p}局2022年政府信息公开工作年度报告</a></li>' for p in range(1, pages))
        site = {"/nb/": R(portal_page(s, "政府信息公开年报", [("首页", "/")], f"<ul>{items}</ul>"))}
        for p in range(1, pages):
            site[f"/nb/{p}.html"] = R(portal_page(s, "报告", [("首页", "/")], f"<p>基准{h}县第{p}局 报告正文</p>" * 40))
        sites[name] = site
    return sites


# ---- server ----------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    sites, log, lock, seen = {}, None, threading.Lock(), set()

    def log_message(self, *a):
        pass

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away (killed, timed out, done)

    def answer(self, r):
        body = r["body"]
        self.send_response(r["status"])
        for k, v in r["headers"].items():
            if isinstance(v, bytes):  # raw GBK header bytes, as real servers send
                self._headers_buffer.append(k.encode() + b": " + v + b"\r\n")
            else:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return r["status"]

    def do_GET(self):
        self.form = None  # a kept-alive connection's last POST is not this request's
        try:
            self.serve()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler hung up (killed, timed out, too large)

    def serve(self):
        t = time.time()
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        parts = urllib.parse.urlsplit(self.path)
        site = self.sites.get(host)
        # A route may name its query (list.jsp?pageNo=2); else the path.
        r = site.get(parts.path + "?" + parts.query) if site and parts.query else None
        if site and r is None:
            r = site.get(parts.path)
        if site and r is None and "%" in parts.path:  # a link as written, before encoding
            r = site.get(urllib.parse.unquote(parts.path))
        key = (host, self.path)
        if r is None and site and parts.path.startswith("/nb/hop"):
            r = {"fault": "hops"}
        if r and "fault" in r:
            # Logged first: some faults never finish (the client gives up).
            self.record(t, host, "fault:" + r["fault"])
            self.fault(r["fault"], site, key, parts.path)
            return
        if r and "dynamic" in r:  # family_web.py: the answer depends on the method and the form
            r = r["dynamic"](self.command, parts.query, getattr(self, "form", None))
        if r and "need_referer" in r:
            r = r["need_referer"] if self.headers.get("Referer") else r["else"]
        if r and "by_param" in r:  # one answer per value of a query parameter
            q = urllib.parse.parse_qs(parts.query)
            if r.get("post_only") and self.command != "POST":
                r = R("<html><body>405</body></html>", status=405)
            else:
                r = r["answers"].get((q.get(r["by_param"]) or [""])[0]) or R("", status=404)
        if r and "dataproxy" in r:
            q = urllib.parse.parse_qs(parts.query)
            r = R(r["dataproxy"], ctype="text/xml; charset=GBK") if q.get("startrecord") == ["4"] else R("", status=404)
        if r and r.get("first"):
            with self.lock:
                first = key not in self.seen
                self.seen.add(key)
            if first:
                r = r["first"]
        if r is None:
            r = R("<html><head><title>404</title></head><body>页面不存在</body></html>", status=404)
        if r["delay"]:
            time.sleep(r["delay"])
        ims = self.headers.get("If-Modified-Since")
        if r["status"] == 200 and ims and ims == r["headers"].get("Last-Modified"):
            r = R(b"", status=304, headers={"Last-Modified": ims})
        status = self.answer(r)
        self.record(t, host, status)

    def record(self, t, host, status):
        with self.lock:
            self.log.write(json.dumps({"t": t, "host": host, "path": self.path, "status": status,
                                       "ua": self.headers.get("User-Agent", ""), "method": self.command,
                                       "form": getattr(self, "form", None)}, ensure_ascii=False) + "\n")
            self.log.flush()

    def raw(self, data):
        self.wfile.write(data)
        self.wfile.flush()

    def fault(self, kind, site, key, path):
        """Misbehave on the raw connection; returns the status to log."""
        import gzip
        import socket
        import struct
        html_head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        if kind == "reset":
            self.raw(html_head + b"Content-Length: 5000\r\n\r\n" + b"<p>" * 33)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return 200
        if kind == "endless_header":
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
            try:
                for i in range(20000):  # 1.2 MB of headers; stops when the client hangs up
                    self.raw(b"X-Filler-%d: " % i + b"y" * 50 + b"\r\n")
            except OSError:
                pass
            self.close_connection = True
            return 200
        if kind == "drip":
            self.raw(html_head + b"Content-Length: 100\r\n\r\n")
            for _ in range(100):
                self.raw(b"x")
                time.sleep(1)
            return 200
        if kind == "hang":
            time.sleep(30)
            self.close_connection = True
            return 0
        if kind == "chunked_cut":
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"400\r\n" + b"<p>" * 100)
            self.close_connection = True
            return 200
        if kind == "short":
            self.raw(html_head + b"Content-Length: 10000\r\n\r\n" + b"<p>" * 33)
            self.close_connection = True
            return 200
        if kind == "huge":
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: 2147483648\r\n\r\n%PDF-1.4\n")
            chunk = b"0" * 65536
            try:
                for _ in range(32768):  # stops when the client hangs up
                    self.raw(chunk)
            except OSError:
                pass
            self.close_connection = True
            return 200
        if kind == "endless":
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b"10000\r\n" + b"0" * 65536 + b"\r\n"
            try:
                for _ in range(32768):
                    self.raw(chunk)
            except OSError:
                pass
            self.close_connection = True
            return 200
        if kind == "gzip_bomb":
            body = gzip.compress(b"\0" * (64 << 20), 9)
            self.raw(html_head + b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            return 200
        if kind == "hops":
            n = int(path[len("/nb/hop"):].split(".")[0])
            return self.answer(R("", status=302, headers={"Location": f"/nb/hop{n + 1}.html"}))
        if kind in ("500", "502"):
            return self.answer(R("<h1>Server Error</h1>", status=int(kind)))
        if kind == "503_then_ok":
            with self.lock:
                first = key not in self.seen
                self.seen.add(key)
            if first:
                return self.answer(R("<h1>Service Unavailable</h1>", status=503, headers={"Retry-After": "1"}))
            return self.answer(site["_503"])
        if kind == "429_absurd":
            return self.answer(R("<h1>Too Many Requests</h1>", status=429, headers={"Retry-After": "999999"}))
        if kind == "error_page":
            return self.answer(R("<html><head><title>错误</title></head><body><h1>404 页面不存在</h1>"
                                 "<p>您访问的页面不存在或已被删除。</p></body></html>"))
        if kind == "pdf_as_html":
            return self.answer(R(site["_pdf"], ctype="text/html; charset=utf-8"))
        if kind == "gbk_as_utf8":
            return self.answer(R(site["_gbk"], ctype="text/html; charset=utf-8"))
        if kind == "bad_utf8":
            return self.answer(R(site["_bad"]))
        if kind == "one_line":
            return self.answer(R(b"<html><body><p>" + "文".encode() * ((10 << 20) // 3) + b"</p></body></html>"))
        if kind == "deep":
            return self.answer(R(b"<html><body>" + b"<div>" * 100000 + b"x" + b"</div>" * 100000 + b"</body></html>"))
        if kind == "truncated_pdf":
            return self.answer(R(site["_trunc"], ctype="application/pdf"))
        if kind == "good":
            return self.answer(site["_good"])
        return self.answer(R("", status=500))

    do_HEAD = do_GET

    def do_POST(self):
        """Hanweb's dataproxy.jsp is asked by POST: the form is read (and
        recorded), the answer chosen as for a GET."""
        n = int(self.headers.get("Content-Length") or 0)
        self.form = self.rfile.read(min(n, 1 << 20)).decode("utf-8", "replace") if n else ""
        self.serve()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("log")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--bench-hosts", type=int, default=0)
    ap.add_argument("--bench-pages", type=int, default=40)
    ap.add_argument("--tls-cert", help="PEM with key and certificate: also serve HTTPS on a second port")
    ap.add_argument("--identity-seed", type=int, help="also serve identity_web.py's portals for this seed")
    ap.add_argument("--portal-seed", type=int, help="also serve portal_web.py's portals for this seed")
    ap.add_argument("--cms-seed", type=int, help="also serve cms_web.py's portals for this seed")
    ap.add_argument("--family-seed", type=int, help="also serve family_web.py's portals for this seed")
    ap.add_argument("--render-seed", type=int, help="also serve render_web.py's portals for this seed")
    a = ap.parse_args()
    Handler.sites = bench_sites(a.bench_hosts, a.bench_pages) if a.bench_hosts else build_sites(a.data)
    if a.cms_seed is not None:
        from cms_web import cms_web
        route = lambda v: R(v[0], ctype=v[1], status=v[2], headers=v[3])

        def routes(v):
            if isinstance(v, tuple):
                return route(v)
            if "by_param" in v:
                return {"by_param": v["by_param"], "post_only": v.get("post_only"),
                        "answers": {k: route(x) for k, x in v["answers"].items()}}
            return {k: route(x) for k, x in v.items()}
        for host, paths in cms_web(a.cms_seed)[0].items():
            Handler.sites[host] = {p: routes(v) for p, v in paths.items()}
    if a.family_seed is not None:
        from family_web import family_web
        tup = lambda v: R(v[0], ctype=v[1], status=v[2], headers=v[3])
        for host, paths in family_web(a.family_seed)[0].items():
            Handler.sites[host] = {p: ({"dynamic": (lambda f: lambda m, q, form: tup(f(m, q, form)))(v["dynamic"])}
                                       if isinstance(v, dict) else tup(v)) for p, v in paths.items()}
    if a.portal_seed is not None:
        from portal_web import portal_web
        for host, paths in portal_web(a.portal_seed)[0].items():
            Handler.sites[host] = {p: R(body, status=st, ctype=ct, headers=hd) for p, (body, ct, st, hd) in paths.items()}
    if a.identity_seed is not None:
        from identity_web import identity_web
        for host, paths in identity_web(a.identity_seed)[0].items():
            Handler.sites[host] = {p: R(body, ctype=ct) for p, (body, ct) in paths.items()}
    if a.render_seed is not None:
        from render_web import render_web
        for host, paths in render_web(a.render_seed)[0].items():
            Handler.sites[host] = {p: R(b, ctype=ct, status=st, headers=hd, delay=dl)
                                   for p, (b, ct, st, hd, dl) in paths.items()}
    Handler.log = open(a.log, "a", encoding="utf-8")
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 1024
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    ports = [str(srv.server_address[1])]
    if a.tls_cert:
        import ssl
        tls = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls_cert)
        tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
        threading.Thread(target=tls.serve_forever, daemon=True).start()
        ports.append(str(tls.server_address[1]))
    print(" ".join(ports), flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
