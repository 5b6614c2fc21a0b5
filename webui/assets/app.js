// Citation markers: clicking [n] in an answer shows that answer's sources and brings source n into view.
(() => {
  const showSource = (turn, n) => {
    const panel = document.getElementById('sources');
    if (!panel) return;
    panel.querySelectorAll('section.turn').forEach((section) => {
      section.hidden = Number(section.dataset.turn) !== turn;
    });
    const target = document.getElementById(`src-${turn}-${n}`);
    const card = target && target.closest('article.source');
    if (!card) return;
    card.scrollIntoView({block: 'nearest', behavior: 'smooth'});
    panel.querySelectorAll('.flash').forEach((el) => el.classList.remove('flash'));
    void card.offsetWidth; // restart the highlight animation
    card.classList.add('flash');
    const mark = card.querySelector(`mark[data-n="${n}"]`);
    if (mark) mark.classList.add('flash');
    card.focus({preventScroll: true});
  };
  document.addEventListener('click', (ev) => {
    const link = ev.target.closest && ev.target.closest('a.cite');
    if (!link) return;
    const match = /#src-(\d+)-(\d+)$/.exec(link.getAttribute('href') || '');
    if (!match) return;
    ev.preventDefault();
    ev.stopPropagation();
    showSource(Number(match[1]), Number(match[2]));
  }, true);
})();
