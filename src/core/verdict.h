// From the model's calibrated probability to the verdict the page shows, and the labelled copy's name.
#pragma once
#include <string>
#include <vector>

namespace xr {

enum class Verdict { Negative, Positive };

// POSITIVE when p_covid reaches the model card's operating threshold.
Verdict verdict_for(double p_covid, double threshold);
const char* verdict_word(Verdict v);  // "POSITIVE" / "NEGATIVE"

// Inside the model card's inconclusive zone [low, high): the page says "close to the threshold".
bool in_inconclusive_zone(double p_covid, double low, double high);

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
