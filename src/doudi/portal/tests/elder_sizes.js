// Measure main text, line spacing, headings and target sizes in elder mode.
() => {
          const px = (el, prop) => parseFloat(getComputedStyle(el)[prop]);
          const main = document.querySelector('main');
          const out = {text: px(main, 'fontSize'), line: px(main, 'lineHeight') / px(main, 'fontSize'), headings: [], small: []};
          document.querySelectorAll('main h1, main h2, main h3').forEach(h => out.headings.push(px(h, 'fontSize')));
          document.querySelectorAll('main a, main button, main .portal-choice, main input:not([type=radio]), main textarea').forEach(el => {
            const box = el.getBoundingClientRect();
            if (box.width > 0 && (box.width < 59.5 || box.height < 59.5)) out.small.push(el.outerHTML.slice(0, 80));
          });
          return out;
        }
