"""County portals of the CMS families the crawler meets, with variations.

Each portal: a home page with its chrome (nav bar, banner, breadcrumb,
footer) linking a 政府信息公开 section, the section linking the annual-report
column, and the column in one CMS family's shape:

  trs     TRS WCM: index.html, index_1.html … by createPageHTML(n, i, "index", "html")
  pageno  a list script paged by ?pageNo=N with 下一页/尾页 links
  jpaas   Hanweb JPaaS: the list only from the API a unitbuild.js tag declares
  subcols a column of sub-columns named for groups of agencies (县直部门, 乡镇（街道）)
  hanweb  Hanweb jpage: a <datastore> shell with the first records in CDATA and a
          <nextgroup> dataproxy.jsp link; the total in <totalrecord>, in a
          jpage({… totalRecord: N …}) call, or nowhere (the proxy's answer says)
  gkmlpt  Guangdong gkmlpt: an empty /gkmlpt/index shell whose script holds the
          site id and the column tree; the list from /gkmlpt/api/all/<id>?page=N

Variations per seed: pagination depth (1 to 12 pages), page size, charset
(UTF-8, GBK, GB2312), links relative, absolute, root-relative or
protocol-relative, a <base href>, reports as HTML articles or as attachments
behind a bare .pdf/.docx link, Hanweb downfile.jsp (点击下载), VSB
download.jsp (an error page without a Referer) or /attach/ paths, with link
texts that say 下载 or give the file name; noise links on every page (other
columns, 政府网站年度报表 that is not a report, a page of another site).

cms_web(seed) -> (sites, seeds_tsv, expected) where sites maps host -> path
-> (body, content type, status, headers) or a need_referer route, and
expected is the set of (agency, year) the crawl must land, nothing more."""
import html
import json
import random

import genlayouts

COUNTIES = [
    ("360733", "会昌县", "www.huichang.gov.cn"), ("532329", "武定县", "www.wuding.gov.cn"),
    ("320813", "洪泽区", "www.hongze.gov.cn"), ("610626", "吴起县", "www.wqx.gov.cn"),
    ("411523", "新县", "www.xinxian.gov.cn"), ("230124", "方正县", "www.fangzheng.gov.cn"),
    ("654202", "乌苏市", "www.wusu.gov.cn"), ("640300", "吴忠市", "www.wuzhong.gov.cn"),
]
DEPTS = ["卫生健康局", "教育体育局", "民政局", "财政局", "住房和城乡建设局", "农业农村局", "司法局",
         "市场监督管理局", "自然资源局", "交通运输局", "文化广电旅游局", "应急管理局", "人力资源和社会保障局",
         "生态环境局", "水利局", "林业局", "统计局", "审计局", "商务局", "退役军人事务局"]
TOWNS = ["城关镇", "中村乡", "长冈乡", "新华街道", "河东乡", "西江镇"]
FAMILIES = ["trs", "pageno", "jpaas", "subcols", "hanweb", "gkmlpt"]


def report_doc(rng, agency, year):
    rec = genlayouts.random_record(rng, "2021")
    rec["agency"], rec["year"] = agency, year
    blocks = genlayouts.document(rec, {"title": rng.choice(["one", "two", "inphrase"])}, rng)
    return blocks


def page(title, body, charset, base=None, site="", crumbs=""):
    b = f'<base href="{base}">' if base else ""
    text = (f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">{b}'
            f"<title>{html.escape(title)}_{html.escape(site)}</title></head><body>"
            f'<div class="head"><img src="/images/banner.jpg" alt="{html.escape(site)}"></div>'
            f'<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/xwzx/">新闻中心</a> '
            f'<a href="/hdjl/">互动交流</a></div>'
            f'<div class="position">当前位置：<a href="/">首页</a> &gt; {crumbs}</div>'
            f'<div class="content">{body}</div>'
            f'<div class="foot">主办：{html.escape(site)}办公室 网站标识码：3600000000</div></body></html>')
    enc = {"utf-8": "utf-8", "gbk": "gbk", "gb2312": "gb2312"}[charset]
    return text.encode(enc, errors="xmlcharrefreplace"), f"text/html; charset={charset}", 200, {}


def href_form(rng, host, path, base_dir):
    """The same target written the ways portals write it."""
    form = rng.choice(["abs", "root", "rel", "proto"])
    if form == "abs":
        return f"http://{host}{path}"
    if form == "proto":
        return f"//{host}{path}"
    if form == "rel" and path.startswith(base_dir):
        return "./" + path[len(base_dir):]
    return path


def cms_web(seed):
    rng = random.Random(seed)
    sites, seeds, expected = {}, ["url\tregion_code\tname"], set()
    for i, (code, county, host) in enumerate(rng.sample(COUNTIES, 4)):
        family = FAMILIES[(seed + i) % len(FAMILIES)]
        charset = rng.choice(["utf-8", "gbk", "gb2312"])
        site = {}
        gov = county + "人民政府"
        col = rng.choice(["/zwgk/zfxxgknb/", "/xxgk/ndbg/", "/col/col%d/" % rng.randrange(1000, 9999)])
        use_base = rng.random() < 0.3

        def add(path, v):
            site[path] = v

        # The reports of this county: agencies over years.
        reports = []
        n = rng.randrange(3, 40)
        for k in range(n):
            who = rng.choice([gov] + [county + d for d in DEPTS] + [county + t + "人民政府" for t in TOWNS])
            year = rng.choice([2019, 2020, 2021, 2022, 2023, 2024])
            if (who, year) in {(a, y) for a, y, _ in reports}:
                continue
            reports.append((who, year, k))
        for who, year, k in reports:
            expected.add((who, year))

        def report_link(who, year, k, in_dir):
            """The link the column lists, and the pages/files behind it."""
            title = f"{who}{year}年政府信息公开工作年度报告"
            doc = report_doc(rng, who, year)
            way = rng.choice(["html", "pdfish_docx", "downfile", "vsb", "attach"])
            art = f"{in_dir}{year + 1}01/t{year + 1}0120_{k}.html"
            if way == "html":
                add(art, page(title, genlayouts.render_html(doc, {}).decode("utf-8").split("<body>", 1)[-1]
                              .rsplit("</body>", 1)[0], charset, site=gov, crumbs="政府信息公开年报"))
            else:
                docx = (genlayouts.render_docx(doc, {}, rng),
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 200, {})
                if way == "pdfish_docx":
                    target = f"{in_dir}{year + 1}01/P0{year + 1}0120{k:03d}.docx"
                    add(target, docx)
                    return target, title
                if way == "downfile":
                    target = f"/module/download/downfile.jsp?classid=0&filename={year}{k:04d}.docx"
                    add(target, (docx[0], "application/octet-stream", 200, {}))
                    text = rng.choice(["点击下载", "附件：" + title + ".docx", "下载"])
                elif way == "vsb":
                    target = f"/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1&wbfileid={k}"
                    add(target, {"need_referer": (docx[0], "application/octet-stream", 200, {}),
                                 "else": (b"<html><body>\xe9\x9d\x9e\xe6\xb3\x95\xe8\xae\xbf\xe9\x97\xae</body></html>",
                                          "text/html; charset=utf-8", 200, {})})
                    text = rng.choice(["下载", title + ".docx"])
                else:
                    target = f"/attach/{year + 1}/{k:04d}.docx"
                    add(target, docx)
                    text = rng.choice([title + ".docx", "附件下载"])
                add(art, page(title, f"<h1>{html.escape(title)}</h1><p>发布日期：{year + 1}-01-20</p>"
                                     f'<p>附件：<a href="{target.replace("&", "&amp;")}">{html.escape(text)}</a></p>',
                              charset, site=gov, crumbs="政府信息公开年报"))
            return art, title

        def list_items(items, in_dir):
            lis = []
            for who, year, k in items:
                target, title = report_link(who, year, k, in_dir)
                h = href_form(rng, host, target, in_dir)
                shown = title if rng.random() < 0.6 else title[:18] + "..."
                lis.append(f'<li><a href="{html.escape(h)}" title="{html.escape(title)}" target="_blank">'
                           f"{html.escape(shown)}</a><span>{year + 1}-01-20</span></li>")
            # Noise: a report-like title that is not a disclosure report.
            lis.append(f'<li><a href="{in_dir}qt/t1.html">{html.escape(gov)}2023年政府网站工作年度报表</a></li>')
            add(f"{in_dir}qt/t1.html", page("报表", "<p>网站年度报表</p>", charset, site=gov))
            return "<ul class=\"list\">" + "".join(lis) + "</ul>"

        per = rng.choice([5, 8, 10, 15, 20])
        if family == "subcols":
            town = lambda who: any(t in who for t in TOWNS)
            groups = {"县直部门": [r for r in reports if r[0] != gov and not town(r[0])],
                      "乡镇（街道）": [r for r in reports if town(r[0])],
                      "县政府": [r for r in reports if r[0] == gov]}
            links = []
            for g, items in groups.items():
                sub = f"{col}{abs(hash(g)) % 1000:03d}/"
                links.append(f'<li><a href="{sub}">{g}</a></li>')
                add(sub, page(g, list_items(items, sub), charset, site=gov, crumbs=f"政府信息公开年报 &gt; {g}"))
            links.append('<li><a href="/zwgk/zcwj/">政策文件</a></li>')
            add(col, page("政府信息公开年报", "<ul>" + "".join(links) + "</ul>", charset, site=gov,
                          crumbs="政府信息公开年报"))
        elif family == "gkmlpt":
            sid, node = str(rng.randrange(100000, 999999)), rng.randrange(1000, 9999)
            tree = [{"id": node - 1, "name": "政策文件", "children": []},
                    {"id": node, "name": rng.choice(["政府信息公开年报", "政府信息公开年度报告"]), "children": []},
                    {"id": node + 1, "name": "人事信息", "children": []}]
            col = "/gkmlpt/index"
            add(col, page("政府信息公开", f'<div id="app"></div><script>var SID = \'{sid}\'; '
                          f"window.CATEGORY_TREE = {json.dumps(tree, ensure_ascii=False)};</script>",
                          charset, site=gov, crumbs="政府信息公开"))
            per_api = rng.choice([10, 15])
            answers = {}
            arts = []
            for who, year, k in reports:
                target, title = report_link(who, year, k, f"/gkmlpt/content/{node % 10}/{node}/")
                arts.append({"url": f"http://{host}{target}", "title": title, "date": f"{year + 1}-01-20"})
            for p in range(max(1, (len(arts) + per_api - 1) // per_api)):
                body = {"articles": arts[p * per_api:(p + 1) * per_api], "total": len(arts)}
                answers[str(p + 1)] = (json.dumps(body, ensure_ascii=False).encode(), "application/json;charset=UTF-8",
                                       200, {})
            add(f"/gkmlpt/api/all/{node}", {"by_param": "page", "answers": answers})
        elif family == "hanweb":
            perpage = rng.choice([5, 10, 15])
            chunk = perpage * 3  # what the Hanweb script asks the proxy for
            colid = rng.randrange(1000, 9999)
            proxy = "/module/web/jpage/dataproxy.jsp"

            def record(item):
                who, year, k = item
                target, title = report_link(who, year, k, col)
                h = href_form(rng, host, target, col)
                return (f'<record><![CDATA[<li><a href="{html.escape(h)}" title="{html.escape(title)}" '
                        f'target="_blank">{html.escape(title)}</a><span>{year + 1}-01-20</span></li>]]></record>')
            recs = [record(item) for item in reports]
            total_in = rng.choice(["totalrecord", "jpage", "none"])
            first = recs[:perpage]
            shell = (f'<div id="{colid}"><script type="text/xml"><datastore>'
                     f'<nextgroup><![CDATA[<a href="{proxy}?page=1&webid=1&path=/&columnid={colid}&unitid=5'
                     f'&webname=%E4%BC%9A%E6%98%8C&permissiontype=0&perpage={perpage}"></a>]]></nextgroup>'
                     + (f"<totalrecord>{len(recs)}</totalrecord>" if total_in == "totalrecord" else "")
                     + f"<recordset>{''.join(first)}</recordset></datastore></script></div>")
            if total_in == "jpage":
                shell += (f"<script>jpage({{ totalRecord: {len(recs)}, perPage: {perpage}, "
                          f"pageSize: {perpage} }});</script>")
            add(col, page("政府信息公开年报", shell, charset, site=gov, crumbs="政府信息公开年报"))
            answers = {}
            for start in range(1, max(len(recs), 1) + 1, chunk):
                part = recs[start - 1:start - 1 + chunk]
                xml = (f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>{len(recs)}</totalrecord>'
                       f"<recordset>{''.join(part)}</recordset></datastore>")
                answers[str(start)] = (xml.encode("utf-8"), "text/xml; charset=UTF-8", 200, {})
            # Asked by POST, as the jpage script does; a GET gets nothing.
            add(proxy, {"by_param": "startrecord", "post_only": True, "answers": answers})
        elif family == "jpaas":
            api = "/api-gateway/jpaas-publish-server/front/page/build/unit"
            add(col, page("政府信息公开年报", '<div id="list"></div><script type="text/javascript" '
                          'src="/module/jpage/AuthorizedRead/unitbuild.js" '
                          f'url="{api}" queryData="{{\'webId\':\'a1\',\'pageId\':\'{rng.randrange(100, 999)}\','
                          "'tagId':'list'}\"></script>", charset, site=gov, crumbs="政府信息公开年报"))
            body = list_items(reports, col)
            add(api, (json.dumps({"data": {"html": body}, "result": True}, ensure_ascii=False).encode(),
                      "application/json;charset=UTF-8", 200, {}))
        else:
            chunks = [reports[j:j + per] for j in range(0, len(reports), per)] or [[]]
            for p, items in enumerate(chunks):
                body = list_items(items, col)
                if family == "trs":
                    name = "index.html" if p == 0 else f"index_{p}.html"
                    body += (f'<div class="page"><script>createPageHTML({len(chunks)}, {p}, "index", "html");'
                             "</script></div>")
                    add(col + name, page("政府信息公开年报", body, charset, site=gov, crumbs="政府信息公开年报",
                                         base=f"http://{host}{col}" if use_base else None))
                    if p == 0:
                        add(col, site[col + name])
                else:
                    lst = f"{col}list.jsp"
                    nav = []
                    if p + 1 < len(chunks):
                        nav.append(f'<a href="{lst}?pageNo={p + 2}">下一页</a>')
                        nav.append(f'<a href="{lst}?pageNo={len(chunks)}">尾页</a>')
                    body += f'<div class="pager">共{len(chunks)}页 {" ".join(nav)}</div>'
                    v = page("政府信息公开年报", body, charset, site=gov, crumbs="政府信息公开年报")
                    add(f"{lst}?pageNo={p + 1}", v)
                    if p == 0:
                        add(col, v)
                        add(lst, v)
        if family == "gkmlpt":  # the portal's 政府信息公开 is the gkmlpt shell itself
            add("/", page(gov, f'<div><a href="{col}">政府信息公开</a><a href="http://www.gov.cn/">中国政府网</a></div>',
                          charset, site=gov, crumbs=""))
        else:
            section = "/zwgk/"
            add(section, page("政务公开", f'<ul><li><a href="/zwgk/zcwj/">政策文件</a></li>'
                              f'<li><a href="{col}">政府信息公开年报</a></li><li><a href="/zwgk/rsxx/">人事信息</a></li></ul>',
                              charset, site=gov, crumbs="政务公开"))
            add("/", page(gov, '<div><a href="/zwgk/">政务公开</a><a href="http://www.gov.cn/">中国政府网</a></div>',
                          charset, site=gov, crumbs=""))
        sites[host] = site
        seeds.append(f"http://{host}/\t{code}\t{gov}")
    return sites, "\n".join(seeds) + "\n", expected
