// Run in a rendered page by crawler/render.c (Runtime.evaluate of
// "(<this function>)(mode, n)"), compiled into the binary.
//
//   mode "snap":  the settled page for discovery: its DOM with every link
//                 made absolute, plus links that live only in handlers and
//                 viewers and in same-origin frames, appended as plain
//                 anchors; and a signature of the list, to tell whether a
//                 click changed it.
//   mode "click": clicks the pager's next control (or the control of page
//                 n); says what it clicked, or "" when there is none.
//   mode "tab":   clicks the n-th tab or tree node that reads as a report
//                 column, a year or an agency; "" past the last.
//
// Read-only toward the site: nothing here fetches; what a click makes the
// page fetch is paused and answered by the crawler like every request.
(function (mode, n) {
  'use strict';
  var MAX_HTML = 8 << 20;
  var frames = function () {
    var docs = [document];
    var fs = document.querySelectorAll('iframe,frame');
    for (var i = 0; i < fs.length; i++) {
      try {
        var d = fs[i].contentDocument;
        if (d && d.documentElement) docs.push(d);
      } catch (e) { /* another origin */ }
    }
    return docs;
  };
  var abs = function (u, base) {
    if (!u) return null;
    try {
      var r = new URL(String(u).trim(), base);
      return r.protocol === 'http:' || r.protocol === 'https:' ? r.href : null;
    } catch (e) {
      return null;
    }
  };
  var text = function (el) {
    return ((el.innerText || el.textContent || el.value || el.title || '') + '').replace(/\s+/g, ' ').trim();
  };

  if (mode === 'snap') {
    var seen = {}, extra = [], sig = 0, count = 0;
    var esc = function (s) {
      return String(s).replace(/[&<>"]/g, function (c) {
        return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c];
      });
    };
    var add = function (u, t, base) {
      var h = abs(u, base);
      if (!h || seen[h]) return;
      seen[h] = 1;
      extra.push('<a href="' + esc(h) + '">' + esc((t || '').slice(0, 300)) + '</a>\n');
    };
    // A URL inside handler code: what window.open, location or an
    // assignment of href is given, or a quoted path to a page or document.
    var inCode = /(?:open|assign|replace|location(?:\.href)?\s*=|href\s*=)\s*\(?\s*['"]([^'"]+)['"]|['"]((?:https?:\/\/|\.{0,2}\/)?[^'"\s()]+\.(?:s?html?|pdf|docx?|wps|xlsx?|jsp|aspx?|php|do|action)(?:\?[^'"\s]*)?)['"]/ig;
    var docs = frames();
    for (var di = 0; di < docs.length; di++) {
      var d = docs[di], base = d.baseURI;
      var as = d.querySelectorAll('a[href],area[href]');
      for (var i = 0; i < as.length; i++) {
        var h = abs(as[i].getAttribute('href'), base);
        if (!h) continue;
        for (var k = 0; k < h.length; k++) sig = (sig * 31 + h.charCodeAt(k)) | 0;
        count++;
        if (d === document) as[i].setAttribute('href', h);
        else add(h, text(as[i]), base);
      }
      var hs = d.querySelectorAll('[onclick],[ondblclick],[data-url],[data-href],[data-link],[href^="javascript:" i]');
      for (var i = 0; i < hs.length; i++) {
        var el = hs[i];
        var du = el.getAttribute('data-url') || el.getAttribute('data-href') || el.getAttribute('data-link');
        if (du) add(du, text(el), base);
        var code = [el.getAttribute('onclick'), el.getAttribute('ondblclick'), el.getAttribute('href')].join(' ');
        var m;
        inCode.lastIndex = 0;
        while ((m = inCode.exec(code))) add(m[1] || m[2], text(el), base);
      }
      var os = d.querySelectorAll('select option');
      for (var i = 0; i < os.length; i++) {
        var v = os[i].value;
        if (/^(https?:|\/|\.\.?\/)|\.(s?html?|pdf|docx?|wps|jsp|aspx?)(\?|$)/i.test(v)) add(v, text(os[i]), base);
      }
      var vs = d.querySelectorAll('iframe[src],frame[src],embed[src],object[data]');
      for (var i = 0; i < vs.length; i++) {
        var s = vs[i].getAttribute('src') || vs[i].getAttribute('data');
        var t = vs[i].title || d.title || '';
        add(s, t, base);
        try {
          var u = new URL(s, base);
          var f = u.searchParams.get('file') || u.searchParams.get('url') || u.searchParams.get('src');
          if (f) add(f, t, u.href);
        } catch (e) { /* not a URL */ }
      }
    }
    var html = document.documentElement.outerHTML;
    if (extra.length) html = html.replace(/<\/body>(?![\s\S]*<\/body>)/i, '<div>' + extra.join('') + '</div></body>');
    return { html: html.slice(0, MAX_HTML), sig: count + ':' + sig, url: location.href };
  }

  if (mode === 'click') {
    var norm = function (s) { return (s || '').replace(/[\s\u3000]+/g, ''); };
    var nextRe = /^(下一页|下页|后页|下一頁|下頁|後頁|>|＞|›|»|>>|》|next|nextpage|下一页>|下一页>>)$/i;
    var shown = function (el) {
      return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
    };
    var off = function (el) {
      for (var p = el; p && p.nodeType === 1; p = p.parentElement)
        if (p.disabled || p.getAttribute('aria-disabled') === 'true' || /(^|[\s_-])(disabled?|grey|gray|unable)($|[\s_-])/i.test(p.className || ''))
          return true;
      return false;
    };
    var clickable = 'a,button,input[type=button],input[type=submit],span,li,div,td,font,em,b,i';
    var innermost = function (list) {
      return list.filter(function (el) {
        return !list.some(function (o) { return o !== el && el.contains(o); });
      });
    };
    var docs = frames();
    for (var di = 0; di < docs.length; di++) {
      var els = Array.prototype.slice.call(docs[di].querySelectorAll(clickable));
      var next = innermost(els.filter(function (el) {
        return (nextRe.test(norm(text(el))) || /下一?页|next/i.test(el.title || '')) && el.children.length < 4;
      })).filter(function (el) { return shown(el) && !off(el); });
      if (next.length) {
        next[0].click();
        return 'next: ' + text(next[0]).slice(0, 40);
      }
    }
    // No next control: the number of the page after this one, inside
    // something that reads as a pager (a run of page numbers).
    for (var di = 0; di < docs.length; di++) {
      var els = Array.prototype.slice.call(docs[di].querySelectorAll(clickable));
      var want = String(n);
      var nums = innermost(els.filter(function (el) {
        return norm(text(el)) === want && el.children.length === 0;
      })).filter(function (el) {
        if (!shown(el) || off(el)) return false;
        var p = el.parentElement;
        for (var up = 0; p && up < 3; up++, p = p.parentElement)
          if (/(^|\D)1\D+2(\D|$)/.test(norm(p.textContent || '').slice(0, 400))) return true;
        return false;
      });
      if (nums.length) {
        nums[0].click();
        return 'page ' + want;
      }
    }
    return '';
  }
  if (mode === 'tab') {
    // Tabs and tree nodes whose text reads as a report column, a year or an
    // agency, and which lead nowhere by themselves (a handler, not a page
    // link: those the static reading follows): the n-th of them.
    var norm2 = function (s) { return (s || '').replace(/[\s\u3000]+/g, ''); };
    var reads = /年报|年度报告|信息公开|^(19|20)\d\d年?(度)?$|(局|委|办|政府|中心|镇|乡|街道|办事处|委员会|公司|院|所|队|站)$/;
    var handler = function (el) {
      for (var p = el, up = 0; p && p.nodeType === 1 && up < 3; p = p.parentElement, up++) {
        var h = p.getAttribute('href');
        if (p.getAttribute('onclick') || p.getAttribute('role') === 'tab' || p.getAttribute('role') === 'treeitem' ||
            (h !== null && /^(#|javascript:)/i.test(h.trim())) ||
            (p.tagName !== 'A' && /(^|[\s_-])(tab|tabs|tree|node|menu|nav)/i.test(p.className || '')))
          return true;
        if (h !== null) return false;
      }
      return false;
    };
    var shown2 = function (el) {
      return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
    };
    var all = [];
    var docs2 = frames();
    for (var di = 0; di < docs2.length; di++) {
      var els = docs2[di].querySelectorAll('a,li,span,div,td,button,dd,dt,p,h3,h4');
      for (var i = 0; i < els.length; i++) {
        var el = els[i], t = norm2(text(el));
        if (t.length < 2 || t.length > 24 || el.querySelector('a[href]:not([href^="#"]):not([href^="javascript" i])')) continue;
        if (reads.test(t) && handler(el) && shown2(el)) all.push(el);
      }
    }
    var tabs = all.filter(function (el) {
      return !all.some(function (o) { return o !== el && el.contains(o); });
    });
    if (n < tabs.length) {
      tabs[n].click();
      return 'tab ' + (n + 1) + ': ' + text(tabs[n]).slice(0, 40);
    }
    return '';
  }
  return null;
})
