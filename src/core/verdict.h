// From the model's calibrated probability to the verdict the page shows, and the labelled copy's name.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace xr {

enum class Verdict { Negative, Positive };

// POSITIVE when p_covid reaches the model card's operating threshold.
Verdict verdict_for(double p_covid, double threshold);
const char* verdict_word(Verdict v);  // "POSITIVE" / "NEGATIVE"

// Inside the model card's inconclusive zone [low, high): the page says "close to the threshold".
bool in_inconclusive_zone(double p_covid, double low, double high);

// The threshold and inconclusive zone verdicts use: the model card's, or a site threshold the user adopted
// from their own labelled X-rays (labelled_evaluation.h). A site threshold replaces the card's threshold
// and has no inconclusive zone (low = high = the site threshold): the card's zone was measured around the
// card's threshold on other hospitals' X-rays.
struct OperatingPoint {
  double threshold = 0.5, band_low = 0.5, band_high = 0.5;
  bool site = false;
};
OperatingPoint operating_point(double card_threshold, double band_low, double band_high, std::optional<double> site_threshold);

// How every verdict, copy and report names an adopted site threshold:
// "site threshold 0.41, from 212 of your X-rays, 2026-12-07".
std::string site_threshold_note(double threshold, int n, const std::string& date);

// Where p sits on the probability bar (0..1, the app's and the report's): the threshold in the middle
// whatever its value; 0 and 1 stay at the ends.
double bar_position(double p, double threshold);

// The class activation map as the viewer and the report show it: divided by its largest value, so that
// the strongest evidence is 1 whatever the model's scale; a map without a positive value is left as is.
void scale_cam_to_max(std::vector<float>& cam);

// The probability as a whole percent, 0..100 (for the file name), and with one decimal (for display).
int whole_percent(double p);
std::string percent_one_decimal(double p);

// {POSITIVE|NEGATIVE}_Prob_{XX}_Name_{ORIGINAL}.png, as the original tutorial's app named its copies;
// ORIGINAL is the file's stem with any directory removed and unsafe characters replaced by '_'.
std::string labelled_copy_name(Verdict v, double p_covid, const std::string& original_name);

}  // namespace xr
