// The questionnaire page: hide questions whose condition is not met (the server ignores
// their answers anyway) and show how many of the asked questions are answered.
(function () {
  var form = document.getElementById("diagnosis-form");
  if (!form) { return; }
  var questions = Array.prototype.slice.call(form.querySelectorAll(".question"));
  var progress = document.querySelector("[data-testid=diagnosis-progress]");

  function chosen(key) {
    return Array.prototype.slice.call(form.querySelectorAll("[name='" + key + "']"))
      .filter(function (input) { return (input.type === "radio" || input.type === "checkbox") ? input.checked : input.value !== ""; })
      .map(function (input) { return input.value; });
  }

  function update() {
    var asked = 0, answered = 0;
    questions.forEach(function (box) {
      var on = true;
      var target = box.getAttribute("data-when-question");
      if (target) {
        var wanted = box.getAttribute("data-when-in").split(" ");
        var parent = form.querySelector(".question[data-question='" + target + "']");
        on = !(parent && parent.hidden) && chosen(target).some(function (v) { return wanted.indexOf(v) >= 0; });
      }
      box.hidden = !on;
      var note = box.querySelector(".when-note");
      if (note) { note.hidden = true; }
      if (on) {
        asked += 1;
        if (chosen(box.getAttribute("data-question")).length) { answered += 1; }
      }
    });
    if (progress) { progress.textContent = answered + " / " + asked; }
  }

  // An exclusive choice ("none of these") clears the others, and the others clear it.
  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type === "checkbox" && input.checked) {
      var group = form.querySelectorAll("[name='" + input.name + "']");
      var exclusive = input.hasAttribute("data-exclusive");
      Array.prototype.forEach.call(group, function (other) {
        if (other !== input && (exclusive || other.hasAttribute("data-exclusive"))) { other.checked = false; }
      });
    }
    update();
  });
  update();
})();
